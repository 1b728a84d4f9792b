/** The NAT lab: GCS node, coturn and device daemons in Linux network namespaces behind nftables NATs and firewalls. */
package org.gcs.natlab;
