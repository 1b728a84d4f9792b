package org.gcs.auth.bns;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * What every HTTP name service shares: OkHttp calls that never block the caller (answers arrive on OkHttp's threads),
 * no redirects followed (an unknown subdomain is redirected to an off-chain registrar), answers read up to
 * {@value #MAX_BODY_BYTES} bytes, and every non-answer turned into a {@link NameServiceException} that says what went
 * wrong: unreachable, timed out, rate limited (with its {@code retry-after}), redirected, an error status, too long.
 *
 * <p>GET answers that carry an {@code ETag} (up to {@value #MAX_VALIDATED_BYTES} bytes, for the last
 * {@value #MAX_VALIDATED} URLs) are kept with it, and the next lookup of that URL asks {@code If-None-Match}: a
 * {@code 304 Not Modified} reuses the kept answer, so an ownership check whose cache entry expired costs the service
 * no body and no query when nothing changed.
 */
abstract class HttpNameService implements NameService {
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final MediaType JSON = MediaType.get("application/json");

    /** An entity tag as RFC 9110 writes it, in the characters a request header may carry. */
    private static final java.util.regex.Pattern ETAG = java.util.regex.Pattern.compile("(W/)?\"[\\x21\\x23-\\x7e]{0,200}\"");
    static final int MAX_VALIDATED = 4096;
    static final int MAX_VALIDATED_BYTES = 2048;

    /** An answer: its status code and body (read whole, bounded). */
    record Answer(int code, byte[] body) {
    }

    /** A 200 answer kept with its entity tag, to ask next time whether it still holds. */
    private record Validated(String etag, Answer answer) {
    }

    private final java.util.Map<HttpUrl, Validated> validated = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<HttpUrl, Validated> eldest) {
                    return size() > MAX_VALIDATED;
                }
            });

    private final OkHttpClient http;
    protected final HttpUrl base;

    HttpNameService(OkHttpClient shared, HttpUrl base) {
        this.http = shared;
        this.base = base;
    }

    /** A client for name services: {@code timeout} for connecting, each read and write, and the whole call. */
    static OkHttpClient client(Duration timeout) {
        return new OkHttpClient.Builder()
                .connectTimeout(timeout).readTimeout(timeout).writeTimeout(timeout).callTimeout(timeout)
                .followRedirects(false).followSslRedirects(false).retryOnConnectionFailure(false)
                .build();
    }

    /**
     * The JSON object of a 200 answer about {@code name}; {@code null} when the service says the name is unknown (one
     * of {@code unknownCodes}); any other status is a {@link NameServiceException}.
     */
    java.util.Map<String, Object> objectOrUnknown(BnsName name, Answer a, int... unknownCodes) {
        for (int code : unknownCodes) {
            if (a.code() == code) {
                return null;
            }
        }
        if (a.code() != 200) {
            throw new NameServiceException(describe() + " answered HTTP " + a.code() + " for " + name);
        }
        return Json.object(a.body(), describe());
    }

    /** A GET, conditional when an earlier answer from {@code url} came with an {@code ETag}. */
    CompletableFuture<Answer> get(HttpUrl url) {
        Validated earlier = validated.get(url);
        Request.Builder request = new Request.Builder().url(url).header("Accept", "application/json").get();
        if (earlier != null) {
            try {
                request.header("If-None-Match", earlier.etag());
            } catch (IllegalArgumentException unsendable) {
                validated.remove(url);
                earlier = null;
            }
        }
        return call(request.build(), earlier).whenComplete((a, e) -> {
            if (e != null) {
                return;
            }
            if (a.code() != 200) {
                validated.remove(url);
            }
        });
    }

    CompletableFuture<Answer> postJson(HttpUrl url, String json) {
        return call(new Request.Builder().url(url).header("Accept", "application/json")
                .post(RequestBody.create(json, JSON)).build(), null);
    }

    private CompletableFuture<Answer> call(Request request, Validated earlier) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        Call call = http.newCall(request);
        answer.whenComplete((a, e) -> {
            if (answer.isCancelled()) {
                call.cancel();
            }
        });
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                answer.completeExceptionally(new NameServiceException(describe() + " unreachable: "
                        + (e instanceof java.io.InterruptedIOException ? "timed out" : e.getMessage()), 0, e));
            }

            @Override
            public void onResponse(Call c, Response response) {
                try (response) {
                    answer.complete(read(response, earlier));
                } catch (NameServiceException e) {
                    answer.completeExceptionally(e);
                } catch (IOException | RuntimeException e) {
                    answer.completeExceptionally(new NameServiceException(describe() + " failed while answering: " + e,
                            0, e));
                }
            }
        });
        return answer;
    }

    private Answer read(Response response, Validated earlier) throws IOException {
        int code = response.code();
        if (code == 304) {
            if (earlier == null) {
                throw new NameServiceException(describe() + " answered 304 Not Modified to an unconditional request");
            }
            return earlier.answer();
        }
        if (code == 429) {
            long after = retryAfterMillis(response.header("Retry-After"));
            throw new NameServiceException(describe() + " is rate limiting (429), retry after " + after / 1000 + " s",
                    after, null);
        }
        if (code >= 300 && code < 400) {
            throw NameServiceException.refusal(describe() + " redirected to " + response.header("Location")
                    + ": not followed (an off-chain registrar is not a BNS registry)");
        }
        if (code >= 500) {
            throw new NameServiceException(describe() + " failed with HTTP " + code);
        }
        ResponseBody body = response.body();
        byte[] bytes;
        try (InputStream in = body.byteStream()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new NameServiceException(describe() + " answered more than " + MAX_BODY_BYTES + " bytes");
        }
        Answer answer = new Answer(code, bytes);
        String etag = response.header("ETag");
        if ("GET".equals(response.request().method()) && code == 200) {
            if (etag != null && ETAG.matcher(etag).matches() && bytes.length <= MAX_VALIDATED_BYTES) {
                validated.put(response.request().url(), new Validated(etag, answer));
            } else {
                validated.remove(response.request().url());
            }
        }
        return answer;
    }

    /** {@code Retry-After} in milliseconds: delta seconds or an HTTP date; 60 s when missing or unreadable. */
    static long retryAfterMillis(String header) {
        if (header == null || header.isBlank()) {
            return 60_000;
        }
        try {
            return Math.max(0, Math.min(3_600_000, Long.parseLong(header.trim()) * 1000));
        } catch (NumberFormatException notSeconds) {
            try {
                long at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                return Math.max(0, Math.min(3_600_000, at - System.currentTimeMillis()));
            } catch (RuntimeException notADate) {
                return 60_000;
            }
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
