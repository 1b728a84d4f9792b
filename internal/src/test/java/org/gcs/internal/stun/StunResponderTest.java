package org.gcs.internal.stun;

import static org.gcs.internal.stun.StunBytes.attribute;
import static org.gcs.internal.stun.StunBytes.flip;
import static org.gcs.internal.stun.StunBytes.message;
import static org.gcs.internal.stun.StunBytes.withFingerprint;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.netty.channel.Channel;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The responder on a real UDP socket on loopback, as the node and the relay bind it. */
class StunResponderTest {
    /** Transaction ids of the bad datagrams start with this byte, so an answer to any of them shows. */
    private static final byte BAD = (byte) 0xBA;
    private static final int ROUNDS = 5;

    private MultiThreadIoEventLoopGroup group;
    private Channel channel;
    private InetSocketAddress stun;

    @BeforeEach
    void bind() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        channel = new StunResponder(StunResponder.Traffic.NONE).bind(group, "127.0.0.1", 0);
        stun = new InetSocketAddress(InetAddress.getLoopbackAddress(), ((InetSocketAddress) channel.localAddress()).getPort());
    }

    @AfterEach
    void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void keepsAnsweringGoodRequestsAfterABurstOfBadOnes() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            socket.setSoTimeout(5000);
            for (int round = 0; round < ROUNDS; round++) {
                for (byte[] bad : badDatagrams(round)) {
                    socket.send(new DatagramPacket(bad, bad.length, stun));
                }
            }
            byte[] refusedId = id(0x42, 1);
            byte[] refused = withFingerprint(message(0x0001, refusedId, attribute(0x0003, new byte[4])));
            socket.send(new DatagramPacket(refused, refused.length, stun));
            byte[] goodId = id(0x60, 2);
            byte[] good = withFingerprint(message(0x0001, goodId, attribute(0x8022, "ice4j.org".getBytes())));
            socket.send(new DatagramPacket(good, good.length, stun));

            // one socket, one event loop, loopback: answers come in the order the requests went out, so the first
            // answer would belong to a bad datagram if any had been answered
            ByteBuffer first = receive(socket);
            assertArrayEquals(refusedId, transactionId(first), "first answer is the 420's, no bad datagram got one");
            assertEquals(0x0111, first.getShort(0) & 0xFFFF, "Binding error response");
            assertEquals(0x000a0002, first.getInt(48), "UNKNOWN-ATTRIBUTES with one type");
            assertEquals(0x00030000, first.getInt(52), "CHANGE-REQUEST, padded");
            ByteBuffer second = receive(socket);
            assertArrayEquals(goodId, transactionId(second));
            assertEquals(StunCodec.BINDING_SUCCESS, second.getShort(0) & 0xFFFF);
            assertEquals(socket.getLocalPort(), (second.getShort(26) & 0xFFFF) ^ (StunCodec.MAGIC_COOKIE >>> 16));
            assertEquals(0x7F000001, second.getInt(28) ^ StunCodec.MAGIC_COOKIE);
        }
    }

    /** One of each kind of datagram the responder must not answer. */
    private static List<byte[]> badDatagrams(int round) {
        List<byte[]> bad = new ArrayList<>();
        byte[] good = withFingerprint(message(0x0001, id(BAD, round), attribute(0x8022, "test".getBytes())));
        bad.add(flip(good, good.length - 1, 0x01)); // wrong FINGERPRINT
        bad.add(flip(good, 24, 0x01)); // body changed under the FINGERPRINT
        byte[] pastTheEnd = message(0x0001, id(BAD, round), attribute(0x8022, "test".getBytes()));
        ByteBuffer.wrap(pastTheEnd).putShort(22, (short) 40);
        bad.add(pastTheEnd); // attribute longer than the message
        byte[] fingerprint = Arrays.copyOfRange(withFingerprint(message(0x0001, id(BAD, round))), 20, 28);
        bad.add(message(0x0001, id(BAD, round), fingerprint, attribute(0x8022, "x".getBytes()))); // FINGERPRINT not last
        bad.add(flip(good, 0, 0x80)); // top bits
        bad.add(flip(good, 4, 0x01)); // magic cookie
        bad.add(Arrays.copyOf(good, good.length - 4)); // length does not match the datagram
        bad.add(message(0x0011, id(BAD, round))); // Binding indication
        bad.add(message(0x0101, id(BAD, round))); // success response
        bad.add(message(0x0003, id(BAD, round), attribute(0x0003, new byte[4]))); // Allocate request
        bad.add("not stun at all, just bytes".getBytes());
        bad.add(new byte[0]);
        return bad;
    }

    private static byte[] id(int first, int n) {
        byte[] id = new byte[12];
        id[0] = (byte) first;
        ByteBuffer.wrap(id).putInt(8, n);
        return id;
    }

    private static ByteBuffer receive(DatagramSocket socket) throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
        socket.receive(packet);
        return ByteBuffer.wrap(Arrays.copyOf(packet.getData(), packet.getLength()));
    }

    private static byte[] transactionId(ByteBuffer response) {
        byte[] id = new byte[12];
        response.get(8, id);
        return id;
    }
}
