/**
 * Sends one file to a friend's device over a DATA pipe and verifies its SHA-256 on arrival; the wire format is
 * documented in {@link org.gcs.examples.filesend.FileHeader}.
 */
package org.gcs.examples.filesend;
