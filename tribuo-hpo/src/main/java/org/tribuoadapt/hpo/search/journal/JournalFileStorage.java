package org.tribuoadapt.hpo.search.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Distribution;
import org.tribuoadapt.hpo.search.Study;
import org.tribuoadapt.hpo.search.StudyStorage;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * A study storage in the file format of Optuna 3.1's {@code JournalFileStorage} (journal format of Optuna 3.1.0,
 * where {@code JournalStorage} is experimental): one JSON object per line, each an operation with its
 * {@code op_code} (see {@link JournalOperation}) and the {@code worker_id} that wrote it. The file is only ever
 * appended to, one whole line per write, under Optuna's lock (a symbolic link {@code <file>.lock} to the file,
 * created atomically by whoever holds the lock), so Java and Python workers can share one file. Reading replays the
 * lines appended since the last read; a last line without its newline is one being written and waits for the next
 * read.
 * <p>
 * Open the file in Python with
 * {@code optuna.load_study(study_name=..., storage=optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(path)))}.
 */
public final class JournalFileStorage implements StudyStorage {

    /** The Optuna version whose journal format this storage reads and writes. */
    public static final String FORMAT_VERSION = "optuna-3.1.0-journal";

    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

    private final Path path;
    private final JournalFileLock lock;
    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .build();
    private final String workerPrefix = UUID.randomUUID() + "-";
    private final JournalReplay replay = new JournalReplay(mapper);
    private long offset;
    private int linesRead;

    /**
     * Opens a journal file, creating it if absent.
     * @param path The file.
     */
    public JournalFileStorage(Path path) {
        this.path = path;
        this.lock = new JournalFileLock(path);
        try {
            if (!Files.exists(path)) {
                Files.write(path, new byte[0], StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the journal file " + path, e);
        }
    }

    @Override
    public synchronized StoredStudy createStudy(String name, List<Direction> directions) {
        if (directions.isEmpty()) {
            throw new IllegalArgumentException("study '" + name + "' needs at least one direction");
        }
        if (sync().findStudy(name).isPresent()) {
            throw new IllegalArgumentException("a study named '" + name + "' already exists in " + path + "; load it instead");
        }
        ObjectNode log = operation(JournalOperation.CREATE_STUDY).put("study_name", name);
        ArrayNode codes = log.putArray("directions");
        directions.forEach(d -> codes.add(d.code()));
        append(log);
        return sync().findStudy(name).orElseThrow();
    }

    @Override
    public synchronized Optional<StoredStudy> findStudy(String name) {
        return sync().findStudy(name);
    }

    @Override
    public synchronized void setStudyUserAttribute(int studyId, String key, Object value) {
        sync().studyUserAttributes(studyId);
        ObjectNode log = operation(JournalOperation.SET_STUDY_USER_ATTR).put("study_id", studyId);
        log.putObject("user_attr").set(key, mapper.valueToTree(value));
        append(log);
    }

    @Override
    public synchronized Map<String, Object> studyUserAttributes(int studyId) {
        return sync().studyUserAttributes(studyId);
    }

    @Override
    public synchronized <T> T locked(int studyId, Function<LockedStudy, T> action) {
        sync().trials(studyId);
        List<T> result = new ArrayList<>(1);
        lock.run(() -> result.add(action.apply(new LockedJournal(studyId))));
        return result.get(0);
    }

    /** The writes of {@link #locked}: each line is appended at once, since the caller already holds the lock. */
    private final class LockedJournal implements LockedStudy {

        private final int studyId;

        LockedJournal(int studyId) {
            this.studyId = studyId;
        }

        @Override
        public List<Trial> trials() {
            return sync().trials(studyId);
        }

        @Override
        public TrialRef createTrial(Map<String, Object> systemAttributes) {
            ObjectNode log = operation(JournalOperation.CREATE_TRIAL).put("study_id", studyId).put("datetime_start", now());
            if (!systemAttributes.isEmpty()) {
                log.set("system_attrs", mapper.valueToTree(systemAttributes));
            }
            writeLocked(log);
            return sync().lastTrialOf(workerId());
        }

        @Override
        public void addWaitingTrial(Map<String, Object> params, Map<String, Distribution> distributions,
                                    Map<String, Object> userAttributes, Map<String, Object> systemAttributes) {
            // the fields Optuna 3.1's create_new_trial writes for a template trial
            ObjectNode log = operation(JournalOperation.CREATE_TRIAL).put("study_id", studyId).putNull("datetime_start")
                    .put("state", TrialState.WAITING.code()).putNull("value").putNull("values");
            ObjectNode json = log.putObject("distributions");
            ObjectNode internal = log.putObject("params");
            params.forEach((name, value) -> {
                Distribution d = distributions.get(name);
                if (d == null) {
                    throw new IllegalArgumentException("parameter '" + name + "' has no distribution");
                }
                json.put(name, DistributionJson.write(mapper, d));
                internal.put(name, d.toInternal(value));
            });
            log.set("user_attrs", mapper.valueToTree(userAttributes));
            log.set("system_attrs", mapper.valueToTree(systemAttributes));
            log.putObject("intermediate_values");
            writeLocked(log);
        }

        @Override
        public TrialRef startWaitingTrial(int number, Map<String, Object> systemAttributes) {
            TrialRef ref = sync().trialRef(studyId, number);
            Trial trial = trials().get(number);
            if (trial.state() != TrialState.WAITING) {
                throw new IllegalStateException("trial " + number + " is " + trial.state() + ", not WAITING");
            }
            systemAttributes.forEach((key, value) -> {
                ObjectNode log = trialOperation(JournalOperation.SET_TRIAL_SYSTEM_ATTR, ref.id());
                log.putObject("system_attr").set(key, mapper.valueToTree(value));
                writeLocked(log);
            });
            writeLocked(trialOperation(JournalOperation.SET_TRIAL_STATE_VALUES, ref.id())
                    .put("state", TrialState.RUNNING.code()).putNull("values").put("datetime_start", now()));
            return ref;
        }

        @Override
        public void failTrial(int number, String reason) {
            TrialRef ref = sync().trialRef(studyId, number);
            if (trials().get(number).state() != TrialState.RUNNING) {
                throw new IllegalStateException("trial " + number + " is " + trials().get(number).state() + ", not RUNNING");
            }
            ObjectNode attribute = trialOperation(JournalOperation.SET_TRIAL_SYSTEM_ATTR, ref.id());
            attribute.putObject("system_attr").put(Study.FAIL_REASON, reason);
            writeLocked(attribute);
            writeLocked(trialOperation(JournalOperation.SET_TRIAL_STATE_VALUES, ref.id())
                    .put("state", TrialState.FAIL.code()).putNull("values").put("datetime_complete", now()));
        }

        private void writeLocked(ObjectNode log) {
            try {
                write(log);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to the journal file " + path, e);
            }
        }
    }

    @Override
    public synchronized void setParam(int trialId, String name, double internal, Distribution distribution) {
        append(trialOperation(JournalOperation.SET_TRIAL_PARAM, trialId).put("param_name", name)
                .put("param_value_internal", internal).put("distribution", DistributionJson.write(mapper, distribution)));
    }

    @Override
    public synchronized void setIntermediateValue(int trialId, int step, double value) {
        append(trialOperation(JournalOperation.SET_TRIAL_INTERMEDIATE_VALUE, trialId).put("step", step)
                .put("intermediate_value", value));
    }

    @Override
    public synchronized void setUserAttribute(int trialId, String key, Object value) {
        ObjectNode log = trialOperation(JournalOperation.SET_TRIAL_USER_ATTR, trialId);
        log.putObject("user_attr").set(key, mapper.valueToTree(value));
        append(log);
    }

    @Override
    public synchronized void setSystemAttribute(int trialId, String key, Object value) {
        ObjectNode log = trialOperation(JournalOperation.SET_TRIAL_SYSTEM_ATTR, trialId);
        log.putObject("system_attr").set(key, mapper.valueToTree(value));
        append(log);
    }

    @Override
    public synchronized void finishTrial(int trialId, TrialState state, List<Double> values) {
        if (!state.isFinished()) {
            throw new IllegalArgumentException("finishTrial needs COMPLETE, PRUNED or FAIL, found " + state);
        }
        ObjectNode log = trialOperation(JournalOperation.SET_TRIAL_STATE_VALUES, trialId).put("state", state.code());
        if (values == null) {
            log.putNull("values");
        } else {
            ArrayNode array = log.putArray("values");
            values.forEach(array::add);
        }
        append(log.put("datetime_complete", now()));
    }

    @Override
    public synchronized List<Trial> trials(int studyId) {
        return sync().trials(studyId);
    }

    @Override
    public String toString() {
        return "JournalFileStorage(" + path + ")";
    }

    private ObjectNode operation(JournalOperation op) {
        return mapper.createObjectNode().put("op_code", op.code()).put("worker_id", workerId());
    }

    private ObjectNode trialOperation(JournalOperation op, int trialId) {
        sync().checkUpdatable(trialId);
        return operation(op).put("trial_id", trialId);
    }

    // Optuna's worker id is a per-storage prefix and the thread, so a worker recognises the trials it created
    private String workerId() {
        return workerPrefix + Thread.currentThread().getId();
    }

    private static String now() {
        return LocalDateTime.now().format(DATE_TIME);
    }

    private void append(ObjectNode log) {
        lock.run(() -> write(log));
    }

    // appends one line; the caller holds the lock
    private void write(ObjectNode log) throws IOException {
        byte[] line;
        try {
            line = (mapper.writeValueAsString(log) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write journal operation " + log, e);
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
        }
    }

    private JournalReplay sync() {
        byte[] fresh;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(size - offset));
            while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) >= 0) {
                // read until the buffer is full
            }
            fresh = buffer.array();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the journal file " + path, e);
        }
        int start = 0;
        for (int i = 0; i < fresh.length; i++) {
            if (fresh[i] == '\n') {
                String line = new String(fresh, start, i - start, StandardCharsets.UTF_8);
                linesRead++;
                try {
                    replay.apply(mapper.readTree(line));
                } catch (IOException | RuntimeException e) {
                    throw new IllegalStateException("line " + linesRead + " of the journal " + path
                            + " is not a valid Optuna 3.1 journal operation: " + e.getMessage(), e);
                }
                start = i + 1;
            }
        }
        offset += start;
        return replay;
    }
}
