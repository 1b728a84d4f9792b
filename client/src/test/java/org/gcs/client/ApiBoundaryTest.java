package org.gcs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exported package must not leak implementation or protobuf types through its public signatures. */
class ApiBoundaryTest {
    private static final List<Class<?>> EXPORTED = List.of(GcsClient.class, ClientOptions.class, Friend.class, IncomingRequest.class,
            IncomingDecision.class, IncomingHandler.class, Listener.class, PeerConnection.class, Status.class, HasStatus.class,
            GcsConnectException.class, ConnectionClosedException.class, IncompatibleDaemonException.class);

    @Test
    void publicSignaturesUseOnlyApiTypes() {
        List<String> leaks = new ArrayList<>();
        for (Class<?> c : EXPORTED) {
            for (Method m : c.getMethods()) {
                if (!Modifier.isPublic(m.getModifiers()) || m.getDeclaringClass().getName().startsWith("java.")) {
                    continue;
                }
                List<Class<?>> types = new ArrayList<>(List.of(m.getParameterTypes()));
                types.add(m.getReturnType());
                for (Class<?> t : types) {
                    String n = t.getName();
                    if (n.startsWith("org.gcs.client.internal") || n.startsWith("com.google.protobuf") || n.startsWith("org.gcs.api.wire")) {
                        leaks.add(c.getSimpleName() + "." + m.getName() + " uses " + n);
                    }
                }
            }
        }
        assertEquals(List.of(), leaks);
    }
}
