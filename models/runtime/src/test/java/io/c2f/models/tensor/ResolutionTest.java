package io.c2f.models.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ResolutionTest {

    @Test
    void textFormRoundTripsAsHeightXWidth() {
        Resolution r = new Resolution(16, 32);
        assertEquals("16x32", r.toString());
        assertEquals(r, Resolution.parse("16x32"));
        assertEquals(r, Resolution.parse(" 16x32\n"));
    }

    @Test
    void parseRefusesAnythingButTwoPositiveSides() {
        for (String bad : new String[] {"32", "32x", "x32", "32x32x3", "0x32", "-1x32", "axb", "32X32", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Resolution.parse(bad));
            assertEquals("resolution must look like 32x32 (height x width, positive), got '" + bad + "'",
                    e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Resolution.parse(null));
    }

    @Test
    void protoRoundTripsAndUnsignedOrZeroSidesAreRefused() {
        Resolution r = new Resolution(24, 48);
        assertEquals(r, Resolution.fromProto(r.toProto()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Resolution.fromProto(
                io.c2f.proto.v1.Resolution.newBuilder().setHeight(-1).setWidth(16).build(), "low_resolution"));
        assertEquals("low_resolution must be positive, got 4294967295x16", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Resolution.fromProto(
                io.c2f.proto.v1.Resolution.newBuilder().setWidth(16).build()));
        assertEquals("resolution must be positive, got 0x16", e.getMessage());
    }
}
