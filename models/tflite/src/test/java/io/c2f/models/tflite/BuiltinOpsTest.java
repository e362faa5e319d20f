package io.c2f.models.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.tensorflow.lite.schema.BuiltinOperator;

class BuiltinOpsTest {
    @Test
    void namesAgreeWithTheSchema() {
        for (int code = 0; code < BuiltinOps.NAMES.length; code++) {
            assertEquals(BuiltinOperator.name(code), BuiltinOps.name(code), "code " + code);
        }
        assertEquals("builtin code 999", BuiltinOps.name(999));
    }

    @Test
    void recognisesTheInterpreterMissingOpErrors() {
        assertEquals(Optional.of("GELU"), BuiltinOps.missingOp("Internal error: Cannot create interpreter: Op"
                + " builtin_code out of range: 150. Are you using old TFLite binary with newer model?"));
        assertEquals(Optional.of("CUMSUM (version 3)"),
                BuiltinOps.missingOp("Didn't find op for builtin opcode 'CUMSUM' version '3'. An older version"));
        assertEquals(Optional.of("custom op Foo"), BuiltinOps.missingOp("Didn't find custom op for name 'Foo' with"));
        assertEquals(Optional.empty(), BuiltinOps.missingOp("ByteBuffer is not a valid flatbuffer model"));
        assertEquals(Optional.empty(), BuiltinOps.missingOp(null));
    }
}
