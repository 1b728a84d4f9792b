package org.gcs.examples.filesend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);

    private List<String> lines() {
        String s = buf.toString(StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }

    @Test
    void printsOneLinePerTenPercentStep() {
        Progress p = new Progress(out, "sent", 1000);
        p.advance(50);   // 5 %: nothing
        p.advance(60);   // 11 %
        p.advance(300);  // 41 %: one line, not three
        p.advance(590);  // 100 %
        p.finish();      // already printed
        assertEquals(List.of(
                "progress sent 10% 110/1000 bytes",
                "progress sent 40% 410/1000 bytes",
                "progress sent 100% 1000/1000 bytes"), lines());
    }

    @Test
    void finishPrintsTheLastStepOnce() {
        Progress p = new Progress(out, "received", 3);
        p.advance(1);
        p.finish();
        p.finish();
        assertEquals(List.of("progress received 30% 1/3 bytes", "progress received 100% 3/3 bytes"), lines());
    }

    @Test
    void emptyTransferPrintsHundredPercentAtFinish() {
        Progress p = new Progress(out, "sent", 0);
        p.advance(0);
        assertEquals(List.of(), lines());
        p.finish();
        assertEquals(List.of("progress sent 100% 0/0 bytes"), lines());
    }

    @Test
    void overshootIsClamped() {
        Progress p = new Progress(out, "sent", 10);
        p.advance(25);
        assertEquals(List.of("progress sent 100% 10/10 bytes"), lines());
        assertEquals(10, p.done());
    }
}
