package io.c2f.controller.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's command line and its data directory rule (only a demo's own directory is emptied). */
class DemoOptionsTest {
    @TempDir
    Path dir;

    @Test
    void parsesFlagsInBothForms() {
        DemoOptions o = DemoOptions.parse(new String[] {"--duration", "90s", "--http-port=0", "--devices", "5",
                "--real=0", "--agent-jar", "/x/agent.jar"});
        assertEquals(Duration.ofSeconds(90), o.duration());
        assertEquals(0, o.httpPort());
        assertEquals(5, o.simDevices());
        assertEquals(0, o.realAgents());
        assertEquals(Path.of("/x/agent.jar"), o.agentJar());
        assertNull(DemoOptions.parse(new String[0]).duration(), "no --duration: until Ctrl-C");
        assertEquals(Duration.ofMinutes(5), DemoOptions.duration("5m"));
        assertEquals(Duration.ofMillis(1500), DemoOptions.duration("1500ms"));
    }

    @Test
    void badFlagsSayWhatWasWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--nope", "1"}))
                .getMessage().contains("unknown option --nope"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--duration", "soon"}))
                .getMessage().contains("'soon' must look like 90s"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--devices", "0"}))
                .getMessage().contains("--devices '0' must be an integer in 1..1000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--real"}))
                .getMessage().contains("--real needs a value"));
    }

    @Test
    void emptiesOnlyADemoDirectory() throws Exception {
        Path data = dir.resolve("demo-data");
        DemoMain.prepareDataDir(data);
        Files.writeString(data.resolve("old.log"), "x");
        DemoMain.prepareDataDir(data);
        assertTrue(Files.notExists(data.resolve("old.log")), "a previous demo's files are removed");
        assertTrue(Files.exists(data.resolve(".c2f-demo")));

        Path mine = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(mine.resolve("precious.txt"), "x");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoMain.prepareDataDir(mine)).getMessage()
                .contains("not a demo directory"));
        assertTrue(Files.exists(mine.resolve("precious.txt")));
    }
}
