/** Abstract contract tests for the GCS service interfaces; each backend's test suite extends the one for its interface. */
package org.gcs.contracts;
