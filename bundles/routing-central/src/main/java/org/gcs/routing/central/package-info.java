/** A single-node {@link org.gcs.api.routing.Router} keeping every user's sink in memory; private to the bundle. */
package org.gcs.routing.central;
