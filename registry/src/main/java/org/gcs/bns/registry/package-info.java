/** An offline BNS-compatible name service for the demo, the tests and private deployments. */
package org.gcs.bns.registry;
