/** The routing layer of a Kademlia node: its calls on other nodes, the presences it keeps as a handler, and how it carries routed messages; private to the bundle. */
package org.gcs.routing.kademlia.route;
