package org.gcs.transport.ice;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.ice4j.TransportAddress;
import org.ice4j.socket.DatagramPacketFilter;
import org.ice4j.socket.MultiplexedDatagramSocket;
import org.ice4j.socket.MultiplexingDatagramSocket;
import org.ice4j.socket.TurnDatagramPacketFilter;

/**
 * A candidate's UDP socket (a host candidate's own descriptor, or a relayed candidate's TURN socket), read by ice4j's STUN
 * stack through {@linkplain #stunView filtered views} that hold no descriptor of their own, and by the QUIC path (or
 * ice4j's component socket, for relayed candidates) through {@link #receive}: everything no view takes.
 *
 * <p>Why not ice4j's own filtered sockets: each {@link MultiplexedDatagramSocket} opens an unbound UDP descriptor in its
 * constructor and never closes it ({@code close()} only detaches the view), so every session left one or more
 * descriptors for the garbage collector. The views here are {@link DatagramSocket}s built on a socket implementation that
 * is never created, so closing the host socket closes everything. ice4j's relayed socket would also take a view for TURN
 * ChannelData; this socket declines ({@link #getSocket(DatagramPacketFilter, boolean)}), and ice4j then relays through
 * Send and Data indications (a 36-byte header for IPv4 peers instead of ChannelData's 4: about 32 bytes more per
 * datagram on relayed paths; no descriptor per allocation).
 *
 * <p>Demultiplexing: whichever reader finds its queue empty and nobody else reading reads the kernel socket; what it
 * reads for others goes to their bounded queues (overflow drops the datagram, as UDP may). A reader whose view closes
 * while it waits in the kernel leaves with the next datagram, which it still delivers. All state is guarded by
 * {@code lock}.
 */
final class StunDemuxSocket extends MultiplexingDatagramSocket {
    /** Datagrams waiting for the QUIC path while another reader holds the socket (about 1.5 MB at most). */
    static final int MAIN_QUEUE = 1024;
    /** Datagrams waiting for one STUN view. */
    static final int VIEW_QUEUE = 128;
    private static final int MAX_DATAGRAM = 65_535;

    private final Object lock = new Object();
    private final List<StunView> views = new ArrayList<>();
    private final ArrayDeque<DatagramPacket> mainQueue = new ArrayDeque<>();
    private final byte[] scratch = new byte[MAX_DATAGRAM];
    private boolean reading;
    private volatile int mainTimeout;
    private long dropped;

    /** A host socket bound to {@code address:port}. */
    StunDemuxSocket(int port, InetAddress address) throws SocketException {
        super(port, address);
    }

    /** Over {@code delegate} (a relayed candidate's TURN socket), which it closes when closed. */
    StunDemuxSocket(DatagramSocket delegate) throws SocketException {
        super(delegate);
    }

    /**
     * The STUN view for packets from {@code server} ({@code null}: the general one, for STUN packets from anywhere else):
     * one per server, made on first use and shared. Each STUN packet goes to exactly one view.
     */
    DatagramSocket stunView(SocketAddress server) throws SocketException {
        synchronized (lock) {
            if (isClosed()) {
                throw new SocketException("the host socket is closed");
            }
            for (StunView v : views) {
                if (Objects.equals(v.server, server)) {
                    return v;
                }
            }
            StunView v = new StunView(server);
            views.add(v);
            for (var it = mainQueue.iterator(); it.hasNext(); ) { // what arrived before the view existed
                DatagramPacket p = it.next();
                if (viewFor(p) == v) {
                    it.remove();
                    v.queue.add(p);
                }
            }
            return v;
        }
    }

    /**
     * What a candidate on this socket answers to ice4j's {@code getStunSocket(server)}: a wrapped {@link #stunView} for
     * {@code server} ({@code null}: the general one); {@code candidate} names the candidate if this socket is closed.
     */
    org.ice4j.socket.IceSocketWrapper stunSocket(TransportAddress server, Object candidate) {
        try {
            return new org.ice4j.socket.IceUdpSocketWrapper(stunView(server == null ? null
                    : new InetSocketAddress(server.getAddress(), server.getPort()))); // TransportAddress.equals differs
        } catch (SocketException e) {
            throw new IllegalStateException("no STUN socket on the closed candidate " + candidate, e);
        }
    }

    /** Views open now (tests). */
    int openViews() {
        synchronized (lock) {
            return views.size();
        }
    }

    /** Datagrams dropped because their reader's queue was full. */
    long dropped() {
        synchronized (lock) {
            return dropped;
        }
    }

    /**
     * ice4j's own filtered views open a descriptor each and never close it: the TURN ChannelData view is declined (ice4j
     * then uses Send and Data indications); any other is ice4j's (only its error-logging paths ask for one).
     */
    @Override
    public MultiplexedDatagramSocket getSocket(DatagramPacketFilter filter, boolean create) throws SocketException {
        if (filter instanceof TurnDatagramPacketFilter) {
            return null;
        }
        return super.getSocket(filter, create);
    }

    /** The QUIC path's receive: the next datagram no STUN view accepts. */
    @Override
    public void receive(DatagramPacket p) throws IOException {
        receiveFor(null, p);
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        mainTimeout = timeout;
    }

    @Override
    public int getSoTimeout() {
        return mainTimeout;
    }

    @Override
    public void close() {
        synchronized (lock) {
            views.clear();
            mainQueue.clear();
            lock.notifyAll();
        }
        super.close();
    }

    /** Receives for {@code view}, or for the QUIC path when {@code view} is {@code null}. */
    private void receiveFor(StunView view, DatagramPacket p) throws IOException {
        int timeout = view == null ? mainTimeout : view.timeout;
        long deadline = timeout == 0 ? Long.MAX_VALUE : System.nanoTime() + timeout * 1_000_000L;
        while (true) {
            long remainingMillis;
            synchronized (lock) {
                while (true) {
                    ArrayDeque<DatagramPacket> queue = view == null ? mainQueue : view.queue;
                    DatagramPacket queued = queue.poll();
                    if (queued != null) {
                        copy(queued.getData(), queued.getLength(), queued.getSocketAddress(), p);
                        return;
                    }
                    if (isClosed() || (view != null && view.closed)) {
                        throw closed();
                    }
                    remainingMillis = deadline == Long.MAX_VALUE ? 0
                            : Math.max(1, (deadline - System.nanoTime() + 999_999) / 1_000_000);
                    if (deadline != Long.MAX_VALUE && System.nanoTime() >= deadline) {
                        throw new SocketTimeoutException("receive timed out");
                    }
                    if (!reading) {
                        reading = true;
                        break;
                    }
                    try {
                        lock.wait(remainingMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new SocketTimeoutException("interrupted");
                    }
                }
            }
            try {
                DatagramPacket in = new DatagramPacket(scratch, scratch.length);
                try {
                    super.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis));
                    super.receive(in); // ice4j's multiplexing socket: the kernel socket (no ice4j view is attached)
                } catch (SocketException e) {
                    if (isClosed()) {
                        throw closed();
                    }
                    throw e;
                }
                if (deliver(in, view)) {
                    copy(in.getData(), in.getLength(), in.getSocketAddress(), p);
                    return;
                }
            } finally {
                synchronized (lock) {
                    reading = false;
                    lock.notifyAll();
                }
            }
        }
    }

    /** The exception every reader of a closed socket gets (what ice4j's STUN reader expects at its end). */
    private static SocketException closed() {
        return new SocketException("Socket closed");
    }

    /**
     * Hands {@code in} to its one reader: the view of the server it came from, else the general STUN view, else the QUIC
     * path; {@code true} if that is {@code self} (not queued).
     */
    private boolean deliver(DatagramPacket in, StunView self) {
        synchronized (lock) {
            StunView target = viewFor(in);
            if (target == self) {
                return true;
            }
            if (target == null) {
                enqueue(mainQueue, MAIN_QUEUE, in);
            } else {
                enqueue(target.queue, VIEW_QUEUE, in);
            }
            return false;
        }
    }

    /** The view that takes {@code p}, or {@code null} for the QUIC path (the caller holds {@code lock}). */
    private StunView viewFor(DatagramPacket p) {
        if (views.isEmpty() || !isStun(p.getData(), p.getOffset(), p.getLength())) {
            return null;
        }
        StunView general = null;
        for (StunView v : views) {
            if (v.server == null) {
                general = v;
            } else if (v.server.equals(p.getSocketAddress())) {
                return v;
            }
        }
        return general;
    }

    private void enqueue(ArrayDeque<DatagramPacket> queue, int max, DatagramPacket in) {
        if (queue.size() >= max) {
            dropped++;
            return;
        }
        byte[] data = java.util.Arrays.copyOf(in.getData(), in.getLength());
        queue.add(new DatagramPacket(data, data.length, in.getSocketAddress()));
    }

    /** Copies a datagram into {@code p} as a receive would: truncated to its buffer, with the sender's address. */
    private static void copy(byte[] data, int length, SocketAddress from, DatagramPacket p) {
        int n = Math.min(length, p.getData().length - p.getOffset());
        System.arraycopy(data, 0, p.getData(), p.getOffset(), n);
        p.setLength(n);
        p.setSocketAddress(from);
    }

    /** A STUN view: a socket that reads this host socket's STUN datagrams and sends through it; no descriptor. */
    private final class StunView extends DatagramSocket {
        final SocketAddress server;
        final ArrayDeque<DatagramPacket> queue = new ArrayDeque<>();
        volatile int timeout;
        volatile boolean closed;

        StunView(SocketAddress server) {
            super(new NoDescriptor());
            this.server = server;
        }

        @Override
        public void receive(DatagramPacket p) throws IOException {
            receiveFor(this, p);
        }

        @Override
        public void send(DatagramPacket p) throws IOException {
            if (closed) {
                throw closed();
            }
            StunDemuxSocket.this.send(p);
        }

        @Override
        public void close() {
            synchronized (lock) {
                closed = true;
                views.remove(this);
                queue.clear();
                lock.notifyAll();
            }
        }

        @Override
        public boolean isClosed() {
            return closed || StunDemuxSocket.this.isClosed();
        }

        @Override
        public boolean isBound() {
            return true;
        }

        @Override
        public InetAddress getLocalAddress() {
            return StunDemuxSocket.this.getLocalAddress();
        }

        @Override
        public int getLocalPort() {
            return StunDemuxSocket.this.getLocalPort();
        }

        @Override
        public SocketAddress getLocalSocketAddress() {
            return StunDemuxSocket.this.getLocalSocketAddress();
        }

        @Override
        public void setSoTimeout(int t) {
            timeout = t;
        }

        @Override
        public int getSoTimeout() {
            return timeout;
        }

        @Override
        public int getReceiveBufferSize() throws SocketException {
            return StunDemuxSocket.this.getReceiveBufferSize();
        }

        @Override
        public int getSendBufferSize() throws SocketException {
            return StunDemuxSocket.this.getSendBufferSize();
        }

        @Override
        public void setReceiveBufferSize(int size) {
            // the host socket's buffer is shared and set once by the harvester
        }

        @Override
        public void setSendBufferSize(int size) {
            // as above
        }

        @Override
        public String toString() {
            return "STUN view " + (server == null ? "" : "for " + server + " ") + "of " + getLocalSocketAddress();
        }
    }

    /**
     * RFC 8489 framing as ice4j's STUN filter checks it: the two top bits zero, a length that is a multiple of 4 and fits
     * the datagram, and the magic cookie (RFC 5389 and later; RFC 3489 clients are not supported here).
     */
    static boolean isStun(byte[] b, int off, int len) {
        if (len < 20 || (b[off] & 0xC0) != 0) {
            return false;
        }
        int bodyLength = ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
        return (bodyLength & 3) == 0 && bodyLength + 20 == len
                && (b[off + 4] & 0xff) == 0x21 && (b[off + 5] & 0xff) == 0x12
                && (b[off + 6] & 0xff) == 0xA4 && (b[off + 7] & 0xff) == 0x42;
    }

    /** A socket implementation never created: a view's work is done by the methods it overrides. */
    private static final class NoDescriptor extends DatagramSocketImpl {
        private static SocketException none() {
            return new SocketException("a STUN view has no descriptor of its own");
        }

        @Override
        protected void create() throws SocketException {
            throw none();
        }

        @Override
        protected void bind(int lport, InetAddress laddr) throws SocketException {
            throw none();
        }

        @Override
        protected void send(DatagramPacket p) throws IOException {
            throw none();
        }

        @Override
        protected int peek(InetAddress i) throws IOException {
            throw none();
        }

        @Override
        protected int peekData(DatagramPacket p) throws IOException {
            throw none();
        }

        @Override
        protected void receive(DatagramPacket p) throws IOException {
            throw none();
        }

        @Override
        @Deprecated
        protected void setTTL(byte ttl) throws IOException {
            throw none();
        }

        @Override
        @Deprecated
        protected byte getTTL() throws IOException {
            throw none();
        }

        @Override
        protected void setTimeToLive(int ttl) throws IOException {
            throw none();
        }

        @Override
        protected int getTimeToLive() throws IOException {
            throw none();
        }

        @Override
        protected void join(InetAddress inetaddr) throws IOException {
            throw none();
        }

        @Override
        protected void leave(InetAddress inetaddr) throws IOException {
            throw none();
        }

        @Override
        protected void joinGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
            throw none();
        }

        @Override
        protected void leaveGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
            throw none();
        }

        @Override
        protected void close() {
        }

        @Override
        public void setOption(int optID, Object value) throws SocketException {
            throw none();
        }

        @Override
        public Object getOption(int optID) throws SocketException {
            throw none();
        }
    }
}
