package org.gcs.daemon.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A bounded in-memory byte pipe with blocking ends: closing the output is EOF for the input. */
public final class MemoryPipe {
    private final byte[] buf = new byte[64 * 1024];
    private int head;
    private int count;
    private boolean writerClosed;
    private boolean readerClosed;

    public final InputStream in = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            synchronized (MemoryPipe.this) {
                while (count == 0 && !writerClosed && !readerClosed) {
                    try {
                        MemoryPipe.this.wait(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    }
                }
                if (count == 0) {
                    return -1;
                }
                int n = Math.min(len, count);
                for (int i = 0; i < n; i++) {
                    b[off + i] = buf[(head + i) % buf.length];
                }
                head = (head + n) % buf.length;
                count -= n;
                MemoryPipe.this.notifyAll();
                return n;
            }
        }

        @Override
        public void close() {
            synchronized (MemoryPipe.this) {
                readerClosed = true;
                MemoryPipe.this.notifyAll();
            }
        }
    };

    public final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (MemoryPipe.this) {
                int i = 0;
                while (i < len) {
                    while (count == buf.length && !readerClosed && !writerClosed) {
                        try {
                            MemoryPipe.this.wait(100);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted");
                        }
                    }
                    if (readerClosed || writerClosed) {
                        throw new IOException("pipe closed");
                    }
                    buf[(head + count) % buf.length] = b[off + i];
                    count++;
                    i++;
                    MemoryPipe.this.notifyAll();
                }
            }
        }

        @Override
        public void close() {
            synchronized (MemoryPipe.this) {
                writerClosed = true;
                MemoryPipe.this.notifyAll();
            }
        }
    };
}
