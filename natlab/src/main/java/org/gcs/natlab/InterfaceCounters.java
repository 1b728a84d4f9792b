package org.gcs.natlab;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte counters of one interface in one namespace, as {@code ip -n <ns> -s -j link show dev <if>} reports them. */
public record InterfaceCounters(String namespace, String device, long rxBytes, long txBytes) {
    private static final Pattern RX = Pattern.compile("\"rx\"\\s*:\\s*\\{\\s*\"bytes\"\\s*:\\s*(\\d+)");
    private static final Pattern TX = Pattern.compile("\"tx\"\\s*:\\s*\\{\\s*\"bytes\"\\s*:\\s*(\\d+)");

    /** Parses the JSON of {@code ip -s -j link show dev <if>} (one interface). */
    static InterfaceCounters parse(String namespace, String device, String json) {
        return new InterfaceCounters(namespace, device, first(RX, json), first(TX, json));
    }

    private static long first(Pattern p, String json) {
        Matcher m = p.matcher(json);
        if (!m.find()) {
            throw new IllegalArgumentException("no byte counter in: " + json);
        }
        return Long.parseLong(m.group(1));
    }

    /** What went through the interface since {@code before}. */
    public InterfaceCounters since(InterfaceCounters before) {
        return new InterfaceCounters(namespace, device, rxBytes - before.rxBytes, txBytes - before.txBytes);
    }

    public long totalBytes() {
        return rxBytes + txBytes;
    }

    @Override
    public String toString() {
        return namespace + "/" + device + " rx=" + rxBytes + " tx=" + txBytes;
    }
}
