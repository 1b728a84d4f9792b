package org.gcs.auth.bns;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The top-level members of a JSON object as name services answer: strings, numbers (as text), booleans and nulls;
 * nested objects and arrays are skipped. Strict and bounded (jackson-core's streaming parser, nesting and string limits):
 * anything else is a {@link NameServiceException}.
 */
final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxStringLength(16 * 1024)
                    .maxNumberLength(64).build())
            .build();

    private Json() {
    }

    /** The members of the object in {@code body}; a string member is a String, a number its text, null is absent. */
    static Map<String, Object> object(byte[] body, String from) {
        Map<String, Object> out = new LinkedHashMap<>();
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new NameServiceException(from + " answered something other than a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken v = p.nextToken();
                switch (v) {
                    case VALUE_STRING -> out.put(key, p.getText());
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> out.put(key, p.getText());
                    case VALUE_TRUE -> out.put(key, Boolean.TRUE);
                    case VALUE_FALSE -> out.put(key, Boolean.FALSE);
                    case VALUE_NULL -> out.remove(key);
                    case START_OBJECT, START_ARRAY -> p.skipChildren();
                    default -> throw new NameServiceException(from + " answered malformed JSON");
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new NameServiceException(from + " answered malformed JSON");
            }
            return out;
        } catch (IOException e) {
            throw new NameServiceException(from + " answered malformed JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), 0, e);
        }
    }

    static String string(Map<String, Object> o, String key) {
        return o.get(key) instanceof String s ? s : null;
    }

    /** A JSON string for {@code text} (quotes and escapes). */
    static String quote(String text) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
