package org.tribuoadapt.hpo.search.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * Optuna's {@code JournalFileSymlinkLock}: the lock is held by whoever creates the symbolic link
 * {@code <journal>.lock} (creation is atomic, also on NFS); it is released by renaming the link to a unique name and
 * deleting that. Waiting backs off from 1 ms to 1 s. A lock is held only while a line is written or a trial is
 * started (the sampler's claim included), so a link older than {@link #STALE_MILLIS} was left by a worker killed
 * while holding it: a waiter breaks it as it releases a lock (a rename to a unique name, so only one waiter breaks
 * it), as Optuna's later versions do with their lock grace period (Optuna 3.1 waits for ever). As there, two waiters
 * that find the same stale lock at the same moment could break a fresh one between them.
 */
final class JournalFileLock {

    private static final Logger logger = Logger.getLogger(JournalFileLock.class.getName());

    /** The age after which a lock is taken to be left by a dead worker. */
    static final long STALE_MILLIS = 120_000;

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
                release();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("journal " + target + ": " + e.getMessage(), e);
        }
    }

    private void release() throws IOException {
        Path renamed = Path.of(lockFile + UUID.randomUUID().toString() + ".rename");
        Files.move(lockFile, renamed);
        Files.delete(renamed);
    }

    private void acquire() throws IOException {
        long sleep = 1;
        while (true) {
            try {
                Files.createSymbolicLink(lockFile, target);
                return;
            } catch (FileAlreadyExistsException e) {
                if (breakIfStale()) {
                    continue;
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

    // true when the lock was older than STALE_MILLIS and this waiter removed it, or when it is gone already
    private boolean breakIfStale() throws IOException {
        FileTime created;
        try {
            created = Files.readAttributes(lockFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).lastModifiedTime();
        } catch (NoSuchFileException e) {
            return true;
        }
        long age = System.currentTimeMillis() - created.toMillis();
        if (age <= STALE_MILLIS) {
            return false;
        }
        try {
            release();
            logger.warning(() -> "broke the lock " + lockFile + ", left " + age / 1000 + " s ago by a worker that died "
                    + "while writing the journal");
        } catch (NoSuchFileException e) {
            // another waiter broke it first
        }
        return true;
    }
}
