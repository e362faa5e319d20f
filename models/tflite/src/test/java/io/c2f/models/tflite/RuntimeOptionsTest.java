package io.c2f.models.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class RuntimeOptionsTest {
    @Test
    void defaultsAreOneThreadXnnpackThenCpu() {
        RuntimeOptions options = RuntimeOptions.defaults();
        assertEquals(1, options.threads());
        assertEquals("xnnpack,cpu", options.chain().toSpec());
        assertEquals("xnnpack,cpu", RuntimeOptions.parse(null, " ").chain().toSpec());
    }

    @Test
    void parsesThreadsAndChain() {
        RuntimeOptions options = RuntimeOptions.parse(" 2 ", "cpu");
        assertEquals(2, options.threads());
        assertEquals(List.of("cpu"), options.chain().links().stream().map(DelegateLink::name).toList());
    }

    @Test
    void rejectsBadValuesWithTheReason() {
        assertEquals("threads must be in 1..64, got 0",
                assertThrows(IllegalArgumentException.class, () -> RuntimeOptions.parse("0", null)).getMessage());
        assertEquals("threads must be in 1..64, got 65",
                assertThrows(IllegalArgumentException.class,
                        () -> new RuntimeOptions(65, DelegateChain.defaultChain())).getMessage());
        assertEquals("threads must be an integer, got \"two\"",
                assertThrows(IllegalArgumentException.class, () -> RuntimeOptions.parse("two", null)).getMessage());
        assertThrows(NullPointerException.class, () -> new RuntimeOptions(1, null));
    }
}
