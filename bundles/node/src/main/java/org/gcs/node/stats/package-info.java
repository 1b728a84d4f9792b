/** Traffic and session counters of a node, and their periodic dump to {@code stats.properties}. */
package org.gcs.node.stats;
