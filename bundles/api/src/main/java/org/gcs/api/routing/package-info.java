/** The routing SPI: which nodes handle a user, which of her devices are online where, what her handler decides, and delivery of control messages between nodes. */
@Export
@Version("2.0.0")
package org.gcs.api.routing;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
