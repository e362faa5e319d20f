package io.c2f.agent.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulator's console: parsing, selection by id / label / all, effect on speeds, answers. */
class SimulatorConsoleTest {
    private static FleetSimulator.SimulatedDevice device(String id, String speed, long cost) {
        return new FleetSimulator.SimulatedDevice(id, Map.of("sim", "true", "speed", speed), null, new DeviceSpeed(cost));
    }

    private final List<FleetSimulator.SimulatedDevice> fleet = List.of(device("sim-0000", "fast", 1000),
            device("sim-0001", "slow", 3000), device("sim-0002", "slow", 2500), device("sim-0003", "mid", 2000));

    @Test
    void parsesEachCommand() {
        SimulatorCommand slow = SimulatorCommand.parse("  slow sim-0001,sim-0003   2.5 ");
        assertEquals(SimulatorCommand.Action.SLOW, slow.action());
        assertEquals(2.5, slow.factor());
        assertEquals(java.util.Set.of("sim-0001", "sim-0003"), slow.selector().ids());
        SimulatorCommand label = SimulatorCommand.parse("SLOW speed=slow 3");
        assertEquals("speed", label.selector().labelKey());
        assertEquals("slow", label.selector().labelValue());
        assertTrue(SimulatorCommand.parse("recover all").selector().all());
        assertEquals(SimulatorCommand.Action.STATUS, SimulatorCommand.parse("status").action());
    }

    @Test
    void rejectsBadLinesNamingWhatWasWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SimulatorCommand.parse("slow all"))
                .getMessage().contains("usage: slow SELECTOR FACTOR"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SimulatorCommand.parse("slow all fast"))
                .getMessage().contains("'fast' is not a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SimulatorCommand.parse("slow all -2"))
                .getMessage().contains("positive"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SimulatorCommand.parse("slow all 0"))
                .getMessage().contains("positive"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SimulatorCommand.parse("slow a/b 2"))
                .getMessage().contains("'a/b' in 'a/b' is not a device id"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SimulatorCommand.parse("slow speed= 2"))
                .getMessage().contains("key=value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SimulatorCommand.parse("speedup all 2"))
                .getMessage().contains("unknown command 'speedup'"));
    }

    @Test
    void slowsAndRecoversTheSelectedDevicesOnly() {
        SimulatorConsole console = new SimulatorConsole(fleet);
        assertEquals("cmd ok slow speed=slow x3.0: 2 devices sim-0001,sim-0002", console.handle("slow speed=slow 3"));
        assertEquals(9000, fleet.get(1).speed().nanosPerMegaMac());
        assertEquals(7500, fleet.get(2).speed().nanosPerMegaMac());
        assertEquals(1000, fleet.get(0).speed().nanosPerMegaMac());
        assertEquals(2000, fleet.get(3).speed().nanosPerMegaMac());
        // cumulative: slowing again multiplies the current cost
        console.handle("slow sim-0001 2");
        assertEquals(18000, fleet.get(1).speed().nanosPerMegaMac());
        assertEquals(6.0, fleet.get(1).speed().factor());
        assertEquals("cmd ok status: 2 of 4 slowed sim-0001,sim-0002", console.handle("status"));
        assertEquals("cmd ok recover sim-0001: 1 devices sim-0001", console.handle("recover sim-0001"));
        assertEquals(3000, fleet.get(1).speed().nanosPerMegaMac());
        console.handle("recover all");
        assertEquals(2500, fleet.get(2).speed().nanosPerMegaMac());
        assertEquals("cmd ok status: 0 of 4 slowed", console.handle("status"));
    }

    @Test
    void answersEveryLineAndReportsErrorsWithoutStopping() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        new SimulatorConsole(fleet).run(new BufferedReader(new StringReader(
                "# comment\n\nslow nosuch-7 2\nslow sim-0000 0.5\nbogus\n")), out);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of("cmd error no device matches 'nosuch-7'", "cmd ok slow sim-0000 x0.5: 1 devices sim-0000",
                "cmd error unknown command 'bogus'; commands: slow SELECTOR FACTOR, recover SELECTOR, status"), lines);
        assertEquals(500, fleet.get(0).speed().nanosPerMegaMac());
    }
}
