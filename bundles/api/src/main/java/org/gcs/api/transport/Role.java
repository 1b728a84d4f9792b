package org.gcs.api.transport;

/** Which end of a session: the caller controls ICE nomination and opens the secure channel. */
public enum Role {
    CONTROLLING,
    CONTROLLED
}
