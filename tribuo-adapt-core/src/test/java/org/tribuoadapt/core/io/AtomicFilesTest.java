package org.tribuoadapt.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files written together change together or not at all, and no temporary file is left behind; links are followed and
 * special files are never replaced.
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

    @Test
    public void aSymbolicLinkIsFollowedAndKept(@TempDir Path dir) throws Exception {
        Path real = Files.writeString(dir.resolve("real.safetensors"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.safetensors"), real);
        AtomicFiles.write(link, "new".getBytes());
        assertTrue(Files.isSymbolicLink(link), "the link was replaced by a file");
        assertEquals("new", Files.readString(real));
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(dangling, "x".getBytes()));
        assertTrue(e.getMessage().contains("symbolic link to " + dir.resolve("nowhere") + ", which does not exist"),
                e.getMessage());
    }

    @Test
    public void specialFilesAndFoldersAreNeverReplaced(@TempDir Path dir) throws Exception {
        // a socket stands in for a device such as /dev/full: it exists and is not a regular file
        Path socket = dir.resolve("socket");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(socket, "x".getBytes()));
            assertTrue(e.getMessage().contains("cannot write " + socket + ": it exists and is not a regular file"),
                    e.getMessage());
            assertTrue(Files.exists(socket) && !Files.isRegularFile(socket), "the socket was replaced");
        }
        Path folder = Files.createDirectory(dir.resolve("folder"));
        assertThrows(IOException.class, () -> AtomicFiles.writeAll(Map.of(folder, "x".getBytes())));
        assertTrue(Files.isDirectory(folder));
    }
}
