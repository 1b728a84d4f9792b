package org.gcs.api.transport;

/** What a channel carries: reliable ordered bytes ({@code DATA}) or unreliable datagrams for media ({@code STREAM}). */
public enum ChannelType {
    DATA,
    STREAM
}
