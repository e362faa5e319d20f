package io.c2f.controller.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Event lines through the controller's own logback.xml, as text (logfmt) and as JSON. */
class EventLogTest {
    /** What the packaged logback.xml prints for one event with the given format. */
    private static String logged(String format) throws Exception {
        LoggerContext ctx = new LoggerContext();
        ctx.putProperty("c2f.log.format", format);
        ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        PrintStream before = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator jc = new JoranConfigurator();
            jc.setContext(ctx);
            jc.doConfigure(EventLogTest.class.getResource("/logback.xml"));
            EventLog.info(ctx.getLogger("io.c2f.controller.rollout.RolloutRepository"), "rollout.wave.started",
                    "rollout", "r-1a2b", "wave", 1, "device", null, "detail", "wave 1 started: 4 devices \"a\"=b");
            ctx.stop();
        } finally {
            System.setOut(before);
        }
        assertEquals(0, ctx.getStatusManager().getCopyOfStatusList().stream()
                .filter(st -> st.getLevel() >= ch.qos.logback.core.status.Status.WARN).count(),
                "logback.xml configures without warnings: " + ctx.getStatusManager().getCopyOfStatusList());
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    void textIsOneLogfmtLinePerEvent() throws Exception {
        String line = logged("TEXT");
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[.+\\] \\S*RolloutRepository - event=rollout\\.wave\\.started "
                + "rollout=r-1a2b wave=1 detail=\"wave 1 started: 4 devices \\\\\"a\\\\\"=b\""), line);
    }

    @Test
    void jsonCarriesTheEventsPairsAsFields() throws Exception {
        String line = logged("JSON");
        assertEquals(1, line.lines().count(), line);
        JsonObject o = new JsonObject(line);
        assertEquals("INFO", o.getString("level"));
        assertTrue(o.getString("message").startsWith("event=rollout.wave.started rollout=r-1a2b wave=1"), o.getString("message"));
        JsonArray kvp = o.getJsonArray("kvpList");
        assertEquals("rollout.wave.started", kvp.getJsonObject(0).getString("event"));
        assertEquals("r-1a2b", kvp.getJsonObject(1).getString("rollout"));
        assertEquals(3, kvp.size() - 1, "null values are left out: " + kvp);
    }

    @Test
    void valuesAreQuotedOnlyWhenNeeded() {
        assertEquals("rpi-01", EventLog.value("rpi-01"));
        assertEquals("\"two words\"", EventLog.value("two words"));
        assertEquals("\"a=b\"", EventLog.value("a=b"));
        assertEquals("\"\"", EventLog.value(""));
        assertEquals("\"line\\nbreak\"", EventLog.value("line\nbreak"));
    }
}
