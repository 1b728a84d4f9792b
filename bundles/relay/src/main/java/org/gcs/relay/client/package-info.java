/** A baseline application's side of the relay: register an id, open ICE + QUIC channels to other ids, accept theirs. */
@Export
@Version("1.0.0")
package org.gcs.relay.client;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
