package org.tribuoadapt.hpo.search.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Optuna's {@code JournalFileSymlinkLock}: the lock is held by whoever creates the symbolic link
 * {@code <journal>.lock} (creation is atomic, also on NFS); it is released by renaming the link to a unique name and
 * deleting that. Waiting backs off from 1 ms to 1 s; after {@link #TIMEOUT_MILLIS} the lock is taken to be stale.
 */
final class JournalFileLock {

    /** How long to wait for the lock before failing. */
    static final long TIMEOUT_MILLIS = 120_000;

    /** An action run under the lock. */
    interface Locked {
        void run() throws IOException;
    }

    private final Path target;
    private final Path lockFile;

    JournalFileLock(Path journal) {
        this.target = journal.toAbsolutePath();
        this.lockFile = Path.of(target + ".lock");
    }

    void run(Locked action) {
        try {
            acquire();
            try {
                action.run();
            } finally {
                Path renamed = Path.of(lockFile + UUID.randomUUID().toString() + ".rename");
                Files.move(lockFile, renamed);
                Files.delete(renamed);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("journal " + target + ": " + e.getMessage(), e);
        }
    }

    private void acquire() throws IOException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        long sleep = 1;
        while (true) {
            try {
                Files.createSymbolicLink(lockFile, target);
                return;
            } catch (FileAlreadyExistsException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("lock " + lockFile + " held for over " + TIMEOUT_MILLIS / 1000
                            + " s; if no worker is writing the journal, delete the stale lock", e);
                }
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for " + lockFile, ie);
                }
                sleep = Math.min(sleep * 2, 1000);
            }
        }
    }
}
