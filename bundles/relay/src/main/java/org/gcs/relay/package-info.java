/** The baseline relay: applications register an id and the relay forwards their signaling to the id they name. */
package org.gcs.relay;
