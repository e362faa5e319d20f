package io.c2f.proto.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SemVerTest {
    @Test
    void ordersAsSemver() {
        assertTrue(SemVer.parse("1.10.0").compareTo(SemVer.parse("1.9.9")) > 0);
        assertTrue(SemVer.parse("2.0.0").compareTo(SemVer.parse("10.0.0")) < 0);
        assertTrue(SemVer.parse("1.0.0-rc.1").compareTo(SemVer.parse("1.0.0")) < 0);
        assertEquals(0, SemVer.parse("1.2.3").compareTo(SemVer.parse(" 1.2.3 ")));
        assertEquals("1.2.3-beta", SemVer.parse("1.2.3-beta").toString());
    }

    @Test
    void refusesWhatIsNotAVersion() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SemVer.parse("1.2"));
        assertEquals("'1.2' is not a version of the form MAJOR.MINOR.PATCH[-PRE]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SemVer.parse(null));
        assertThrows(IllegalArgumentException.class, () -> SemVer.parse("v1.2.3"));
    }
}
