/** A line-based chat between two friends' devices over a DATA pipe. */
package org.gcs.examples.chat;
