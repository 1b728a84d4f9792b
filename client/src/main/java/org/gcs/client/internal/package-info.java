/** Implementation of the client library (framing, request multiplexing, listener pairing); not exported. */
package org.gcs.client.internal;
