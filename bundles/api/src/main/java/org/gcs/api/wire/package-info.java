/**
 * Generated Protocol Buffers messages: {@code NodeWire} between daemon and node, {@code AppWire} between application
 * and daemon, {@code RelayWire} between a baseline client and the baseline relay, and
 * {@link org.gcs.api.wire.WireVersions} naming the protocol versions spoken.
 */
@Export
@Version("1.3.0")
package org.gcs.api.wire;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
