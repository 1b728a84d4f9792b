/** The routing SPI: which node handles a user, which of her devices are online, and delivery of control messages to them. */
@Export
@Version("1.0.0")
package org.gcs.api.routing;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
