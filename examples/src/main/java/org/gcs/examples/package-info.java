/** Runnable example applications on the GCS client library and the dispatcher that starts them ({@code chat}, {@code filesend}). */
package org.gcs.examples;
