package org.gcs.transport.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The candidate socket that splits STUN from the rest, on loopback with real datagrams. */
@Timeout(30)
class StunDemuxSocketTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final StunDemuxSocket socket;
    private final DatagramSocket peer;
    private final DatagramSocket server;

    StunDemuxSocketTest() throws SocketException {
        socket = new StunDemuxSocket(0, LOOPBACK);
        peer = new DatagramSocket(0, LOOPBACK);
        server = new DatagramSocket(0, LOOPBACK);
    }

    @AfterEach
    void close() {
        socket.close();
        peer.close();
        server.close();
    }

    /** A Binding request header with the RFC 8489 cookie and no attributes; {@code id} lands in the transaction id. */
    private static byte[] stun(int id) {
        byte[] b = new byte[20];
        b[1] = 0x01;
        b[4] = 0x21;
        b[5] = 0x12;
        b[6] = (byte) 0xA4;
        b[7] = 0x42;
        b[19] = (byte) id;
        return b;
    }

    private void send(DatagramSocket from, byte[] data) throws Exception {
        from.send(new DatagramPacket(data, data.length, socket.getLocalSocketAddress()));
    }

    private static DatagramPacket receive(DatagramSocket s, int timeoutMillis) throws Exception {
        s.setSoTimeout(timeoutMillis);
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        s.receive(p);
        return p;
    }

    private static byte[] data(DatagramPacket p) {
        return java.util.Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
    }

    @Test
    void stunGoesToTheViewOfItsServerOrTheGeneralOneAndTheRestToTheMainReader() throws Exception {
        DatagramSocket general = socket.stunView(null);
        DatagramSocket ofServer = socket.stunView(new InetSocketAddress(LOOPBACK, server.getLocalPort()));
        assertSame(general, socket.stunView(null), "one view per server, shared");
        send(peer, "quic".getBytes());
        send(server, stun(1));
        send(peer, stun(2));
        DatagramPacket m = receive(socket, 5000); // this reader reads all three, keeps its own, queues the others
        assertArrayEquals("quic".getBytes(), data(m));
        assertEquals(peer.getLocalSocketAddress(), m.getSocketAddress());
        Thread.sleep(200); // the other two are in the kernel buffer or queued: either way the views get them
        assertEquals(1, data(receive(ofServer, 5000))[19]);
        assertEquals(2, data(receive(general, 5000))[19]);
        assertThrows(SocketTimeoutException.class, () -> receive(general, 200), "each STUN packet goes to one view");
        assertThrows(SocketTimeoutException.class, () -> receive(ofServer, 200));
    }

    @Test
    void aReaderWaitingOnItsQueueGetsWhatAnotherReaderTookFromTheKernel() throws Exception {
        DatagramSocket view = socket.stunView(null);
        CompletableFuture<DatagramPacket> stunReader = CompletableFuture.supplyAsync(() -> {
            try {
                return receive(view, 10_000); // blocks in the kernel first: the main reader comes later
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(200);
        CompletableFuture<DatagramPacket> mainReader = CompletableFuture.supplyAsync(() -> {
            try {
                return receive(socket, 10_000);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(200);
        send(peer, "data for the main reader".getBytes());
        assertArrayEquals("data for the main reader".getBytes(), data(mainReader.get(5, TimeUnit.SECONDS)));
        assertFalse(stunReader.isDone());
        send(peer, stun(7));
        assertEquals(7, data(stunReader.get(5, TimeUnit.SECONDS))[19]);
    }

    @Test
    void closingTheSocketEndsEveryReaderWithSocketClosed() throws Exception {
        DatagramSocket view = socket.stunView(null);
        CompletableFuture<DatagramPacket> a = CompletableFuture.supplyAsync(() -> {
            try {
                return receive(view, 0);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        CompletableFuture<DatagramPacket> b = CompletableFuture.supplyAsync(() -> {
            try {
                return receive(socket, 0);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(300);
        socket.close();
        for (CompletableFuture<DatagramPacket> f : java.util.List.of(a, b)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause().getCause() instanceof SocketException s && "Socket closed".equals(s.getMessage()),
                    String.valueOf(e.getCause()));
        }
        assertTrue(view.isClosed());
        assertThrows(SocketException.class, () -> socket.stunView(null));
    }

    @Test
    void viewsHoldNoDescriptorAndAClosedViewLetsItsPacketsGoToTheMainReader() throws Exception {
        int before = OpenSockets.all();
        for (int i = 0; i < 50; i++) {
            socket.stunView(new InetSocketAddress(LOOPBACK, 10_000 + i));
        }
        assertEquals(before, OpenSockets.all(), "a view opened a descriptor");
        assertEquals(50, socket.openViews());
        DatagramSocket general = socket.stunView(null);
        general.close();
        assertTrue(general.isClosed());
        assertThrows(SocketException.class, () -> receive(general, 100));
        send(peer, stun(9));
        assertEquals(9, data(receive(socket, 5000))[19], "no view for it any more: the main reader gets it");
    }

    @Test
    void aFullQueueDropsDatagramsInsteadOfGrowing() throws Exception {
        DatagramSocket view = socket.stunView(null);
        for (int i = 0; i < StunDemuxSocket.VIEW_QUEUE + 40; i++) {
            send(peer, stun(i));
        }
        send(peer, "last".getBytes());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        DatagramPacket m;
        do { // the main reader reads every STUN packet before its own: the view's queue overflows
            m = receive(socket, 5000);
        } while (!"last".equals(new String(data(m))) && System.nanoTime() < deadline);
        assertEquals("last", new String(data(m)));
        assertEquals(40, socket.dropped(), "datagrams beyond the view's queue");
        for (int i = 0; i < StunDemuxSocket.VIEW_QUEUE; i++) {
            assertEquals((byte) i, data(receive(view, 1000))[19]);
        }
    }

    @Test
    void isStunFollowsRfc8489Framing() {
        assertTrue(StunDemuxSocket.isStun(stun(1), 0, 20));
        byte[] quic = stun(1);
        quic[0] = (byte) 0xC0; // QUIC long header: top bits set
        assertFalse(StunDemuxSocket.isStun(quic, 0, 20));
        byte[] noCookie = stun(1);
        noCookie[4] = 0;
        assertFalse(StunDemuxSocket.isStun(noCookie, 0, 20));
        assertFalse(StunDemuxSocket.isStun(stun(1), 0, 19), "shorter than a header");
        byte[] badLength = stun(1);
        badLength[3] = 4; // says 4 bytes of attributes, has none
        assertFalse(StunDemuxSocket.isStun(badLength, 0, 20));
    }
}
