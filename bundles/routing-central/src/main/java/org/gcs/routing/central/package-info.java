/** A single-node {@link org.gcs.api.routing.Router}: every user is handled by this node and her devices' presences are kept in memory; private to the bundle. */
package org.gcs.routing.central;
