package org.tribuoadapt.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the command line end to end on a small slice of the embedded sample: the main job, reproduction of its
 * report (and a tampered copy), training and evaluating from a configuration, and usage errors.
 */
public class MainTest {

    private static final String[] SMALL = {"--@train-source.maxPerClass", "30", "--@test-source.maxPerClass", "10",
            "--@cnn-trainer.epochs", "1"};

    private static String[] args(String command, String... rest) {
        String[] all = new String[rest.length + SMALL.length + 1];
        all[0] = command;
        System.arraycopy(rest, 0, all, 1, rest.length);
        System.arraycopy(SMALL, 0, all, 1 + rest.length, SMALL.length);
        return all;
    }

    @Test
    public void mainJobWritesAReportThatReproduces(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("report");
        assertEquals(0, Main.execute(args("run", "--out", out.toString())));
        Path json = out.resolve("report.json");
        assertTrue(Files.exists(json) && Files.exists(out.resolve("report.html")));
        assertEquals(0, Main.execute(new String[] {"reproduce", json.toString()}));

        ObjectMapper mapper = new ObjectMapper();
        ObjectNode report = (ObjectNode) mapper.readTree(json.toFile());
        for (var section : report.withArray("sections")) {
            ObjectNode results = (ObjectNode) section.get("results");
            if (results.has("source-evaluation")) {
                ((ObjectNode) results.get("source-evaluation")).put("accuracy", 0.01);
            }
        }
        // the content digest finds the edit before anything is retrained
        Path tampered = dir.resolve("tampered.json");
        mapper.writeValue(tampered.toFile(), report);
        assertEquals(1, Main.execute(new String[] {"reproduce", tampered.toString()}));
        // without a digest (a report from an earlier version), the recomputed metrics find it
        report.remove("contentDigest");
        Path undigested = dir.resolve("undigested.json");
        mapper.writeValue(undigested.toFile(), report);
        assertEquals(1, Main.execute(new String[] {"reproduce", undigested.toString()}));
    }

    @Test
    public void trainAndEvaluateFromAConfiguration(@TempDir Path dir) {
        Path model = dir.resolve("cnn.tribuo");
        assertEquals(0, Main.execute(args("train", "-c", "/org/tribuoadapt/examples/configs/main-job.xml",
                "--trainer", "cnn-trainer", "--test-source", "test-source", "--model-out", model.toString())));
        assertTrue(Files.exists(model));
        assertEquals(0, Main.execute(args("evaluate", "-c", "/org/tribuoadapt/examples/configs/main-job.xml",
                "--model", model.toString(), "--source", "test-source")));
    }

    @Test
    public void anExistingReportOrAnUnwritableFolderStopsTheRunBeforeAnyWork(@TempDir Path dir) throws Exception {
        Path out = Files.createDirectories(dir.resolve("earlier"));
        Path earlier = Files.writeString(out.resolve("report.json"), "{\"earlier\": true}");
        assertEquals(1, Main.execute(args("run", "--out", out.toString())));
        assertEquals("{\"earlier\": true}", Files.readString(earlier));
        try (var files = Files.list(out)) {
            assertEquals(List.of(earlier), files.toList(), "no step may have run");
        }
        Path file = Files.writeString(dir.resolve("a-file"), "not a folder");
        assertEquals(1, Main.execute(args("run", "--out", file.toString())));
        assertEquals(1, Main.execute(args("run", "--out", "/proc/no-such-folder")));
    }

    @Test
    public void fileSystemFailuresAreDescribedInWords() {
        assertEquals("/data/x.csv does not exist", Main.describe(new java.nio.file.NoSuchFileException("/data/x.csv")));
        assertEquals("permission denied for /root/m.tribuo",
                Main.describe(new java.nio.file.AccessDeniedException("/root/m.tribuo")));
        assertEquals("cannot use /dev/full: No space left on device",
                Main.describe(new java.nio.file.FileSystemException("/dev/full", null, "No space left on device")));
        assertEquals("plain message", Main.describe(new java.io.IOException("plain message")));
    }

    @Test
    public void usageErrorsExitWithTwo() {
        assertEquals(2, Main.execute(new String[] {"no-such-command"}));
        assertEquals(2, Main.execute(new String[] {"reproduce"}));
        assertEquals(2, Main.execute(new String[] {"run", "--@cnn-trainer.epochs", "0", "--out", "/tmp/never"}));
        assertEquals(2, Main.execute(new String[] {"bench", "no-such-benchmark"}));
    }
}
