/** The GCS node component: configuration, authentication provider registry and the wiring of listener, STUN and state. */
package org.gcs.node;
