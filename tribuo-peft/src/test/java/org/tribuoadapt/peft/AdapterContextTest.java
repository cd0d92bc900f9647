package org.tribuoadapt.peft;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.nn.DjlRuntime;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

public class AdapterContextTest {

    @Test
    public void computesEachValueOnceForAllTargets() {
        try (NDManager manager = DjlRuntime.newManager()) {
            AdapterContext context = new AdapterContext("a", manager, 1L, Map.of());
            AtomicInteger calls = new AtomicInteger();
            Object first = context.computeOnce("files", () -> new Object[] {calls.incrementAndGet()});
            assertSame(first, context.computeOnce("files", () -> new Object[] {calls.incrementAndGet()}));
            assertEquals(1, calls.get(), "the second request reuses the value");
            context.computeOnce("other", calls::incrementAndGet);
            assertEquals(2, calls.get(), "another key is computed");
            // a failed computation stores nothing, so the next request tries again
            AdapterContext failing = new AdapterContext("b", manager, 1L, Map.of());
            assertThrows(IllegalArgumentException.class, () -> failing.computeOnce("files", () -> {
                throw new IllegalArgumentException("unreadable");
            }));
            assertEquals("read", failing.computeOnce("files", () -> "read"));
        }
    }
}
