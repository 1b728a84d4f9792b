/** The node's own identity as a service, shared by the node core and the routing bundles. */
@Export
@Version("1.0.0")
package org.gcs.api.node;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
