package org.tribuoadapt.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Files written together change together or not at all, and no temporary file is left behind.
 */
public class AtomicFilesTest {

    @Test
    public void aFailedWriteChangesNoneOfTheFiles(@TempDir Path dir) throws Exception {
        Path first = Files.writeString(dir.resolve("report.html"), "old html");
        Map<Path, byte[]> contents = new LinkedHashMap<>();
        contents.put(first, "new html".getBytes());
        contents.put(dir.resolve("missing-folder").resolve("report.json"), "new json".getBytes());
        assertThrows(IOException.class, () -> AtomicFiles.writeAll(contents));
        assertEquals("old html", Files.readString(first));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(first), files.toList(), "a temporary file was left behind");
        }
    }

    @Test
    public void aSuccessfulWriteReplacesEveryFile(@TempDir Path dir) throws Exception {
        Map<Path, byte[]> contents = new LinkedHashMap<>();
        contents.put(Files.writeString(dir.resolve("a"), "old"), "new a".getBytes());
        contents.put(dir.resolve("b"), "new b".getBytes());
        AtomicFiles.writeAll(contents);
        assertEquals("new a", Files.readString(dir.resolve("a")));
        assertEquals("new b", Files.readString(dir.resolve("b")));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count());
        }
    }
}
