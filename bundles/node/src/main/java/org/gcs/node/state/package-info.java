/** What a node keeps in its state directory: its TLS key and certificate, its id, ports and counters. */
package org.gcs.node.state;
