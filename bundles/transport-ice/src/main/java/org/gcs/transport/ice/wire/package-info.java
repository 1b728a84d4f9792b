/** The private binary encoding of this transport's session descriptions and trickle signals, parsed defensively. */
package org.gcs.transport.ice.wire;
