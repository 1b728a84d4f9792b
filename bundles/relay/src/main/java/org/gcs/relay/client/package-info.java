/**
 * A baseline application's side of the relay: register an id, open ICE + QUIC channels to other ids, accept theirs.
 * Used from the plain jar (benchmarks, tests); the bundle exports nothing, as every backend.
 */
package org.gcs.relay.client;
