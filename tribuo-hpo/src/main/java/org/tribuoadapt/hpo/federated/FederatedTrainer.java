package org.tribuoadapt.hpo.federated;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkFit;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.EpochSummary;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.core.train.SeededTrainer;
import org.tribuoadapt.core.train.TrainerInvocations;
import org.tribuoadapt.core.train.TrainingHistory;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A federated-learning simulation as a Tribuo {@link Trainer}: the training data is split over K clients by a
 * seeded Dirichlet(alpha) non-i.i.d. partition (Hsu et al. 2019); every round a fraction C of the clients is sampled,
 * each trains a copy of the global network for some local epochs with SGD (through core's {@link TrainingLoop}), and
 * the server averages their weights by client size (FedAvg, McMahan et al. 2017). FedHyper's learning-rate
 * schedulers (Zhou et al. 2024, "FedHyper: A Universal and Robust Learning Rate Scheduler for Federated Learning
 * with Hypergradient Descent", ICLR) can be switched on separately or together: a global scheduler
 * ({@link GlobalScheduler#G} or {@link GlobalScheduler#GM}), the server-side local scheduler (SL) and the client-side
 * local scheduler (CL). With none of them this is plain FedAvg.
 * <p>
 * The result is a {@link NetworkModel}. Its history has one "epoch" and one "step" per round (mean client loss,
 * client learning rates, held-out loss and accuracy when {@code validationFraction > 0}), and its run provenance
 * carries the client split's sizes and the per-round schedule ({@link FederatedProvenance}). The split seed, the
 * schedulers and every other input that changes the result are configuration. BatchNorm buffers are averaged like
 * the weights (integer counters are averaged and truncated); the global schedulers act on the trainable weights only.
 */
public final class FederatedTrainer extends SeededTrainer<NetworkModel> {

    @Config(mandatory = true, description = "The network architecture.")
    private NetworkSpec network;

    @Config(description = "Communication rounds.")
    private int rounds = 50;

    @Config(description = "The number of clients K.")
    private int clients = 100;

    @Config(description = "The share C of clients sampled per round, in (0, 1].")
    private double clientFraction = 0.1;

    @Config(description = "Local epochs per round.")
    private int localEpochs = 1;

    @Config(description = "Local minibatch size.")
    private int localBatchSize = 32;

    @Config(description = "The clients' initial learning rate eta_0.")
    private double learningRate = 0.01;

    @Config(description = "Momentum of the clients' SGD (the FedHyper code uses 0.5); 0 for plain SGD.")
    private double localMomentum = 0.5;

    @Config(description = "Concentration alpha of the Dirichlet non-i.i.d. split; smaller is more skewed.")
    private double dirichletAlpha = 0.5;

    @Config(description = "Seed of the held-out split and of the client split.")
    private long splitSeed = 1L;

    @Config(description = "FedHyper's global scheduler: NONE (FedAvg), G or GM.")
    private GlobalScheduler globalScheduler = GlobalScheduler.NONE;

    @Config(description = "FedHyper's server-side local scheduler (SL): the server sets the clients' learning rate.")
    private boolean serverSideLocal = false;

    @Config(description = "FedHyper's client-side local scheduler (CL): each client adapts its learning rate.")
    private boolean clientSideLocal = false;

    @Config(description = "Lower clip of the SL client learning rate (0.001 in the FedHyper code).")
    private double serverLocalMinLearningRate = 0.001;

    @Config(description = "Upper clip of the SL client learning rate (0.1 in the FedHyper code).")
    private double serverLocalMaxLearningRate = 0.1;

    @Config(description = "Share of the data held out to measure the global model after every round; 0 for none.")
    private double validationFraction = 0.0;

    @Config(description = "The fewest examples a client may hold; the split is redrawn until every client has them.")
    private int minClientExamples = 2;

    private transient FederatedListener listener = FederatedListener.NONE;

    /** For OLCUT. */
    private FederatedTrainer() {}

    /**
     * Creates a FedAvg simulation; switch FedHyper on with {@link #withSchedulers}.
     * @param network The architecture.
     * @param rounds Communication rounds.
     * @param clients The number of clients K.
     * @param clientFraction The share of clients sampled per round, in (0, 1].
     * @param localEpochs Local epochs per round.
     * @param localBatchSize Local minibatch size.
     * @param learningRate The clients' initial learning rate.
     * @param dirichletAlpha The Dirichlet concentration of the client split.
     * @param splitSeed The seed of the data splits.
     * @param seed The seed of initialisation, sampling and batch order.
     */
    public FederatedTrainer(NetworkSpec network, int rounds, int clients, double clientFraction, int localEpochs,
                            int localBatchSize, double learningRate, double dirichletAlpha, long splitSeed, long seed) {
        this.network = network;
        this.rounds = rounds;
        this.clients = clients;
        this.clientFraction = clientFraction;
        this.localEpochs = localEpochs;
        this.localBatchSize = localBatchSize;
        this.learningRate = learningRate;
        this.dirichletAlpha = dirichletAlpha;
        this.splitSeed = splitSeed;
        this.seed = seed;
        postConfig();
    }

    /**
     * Chooses the FedHyper schedulers.
     * @param global The global scheduler (NONE for FedAvg's server step).
     * @param serverSideLocal Whether SL sets the clients' learning rate.
     * @param clientSideLocal Whether CL adapts each client's learning rate.
     * @return This trainer.
     */
    public FederatedTrainer withSchedulers(GlobalScheduler global, boolean serverSideLocal, boolean clientSideLocal) {
        this.globalScheduler = global;
        this.serverSideLocal = serverSideLocal;
        this.clientSideLocal = clientSideLocal;
        postConfig();
        return this;
    }

    /**
     * Sets the clients' SGD momentum.
     * @param momentum The momentum factor in [0, 1).
     * @return This trainer.
     */
    public FederatedTrainer withLocalMomentum(double momentum) {
        this.localMomentum = momentum;
        postConfig();
        return this;
    }

    /**
     * Holds out a share of the data, measured with the global model after every round.
     * @param fraction The share, in [0, 1).
     * @return This trainer.
     */
    public FederatedTrainer withValidation(double fraction) {
        this.validationFraction = fraction;
        postConfig();
        return this;
    }

    @Override
    public synchronized void postConfig() {
        requirePositive("rounds", rounds);
        requirePositive("clients", clients);
        requirePositive("localEpochs", localEpochs);
        requirePositive("localBatchSize", localBatchSize);
        requirePositive("minClientExamples", minClientExamples);
        if (!(clientFraction > 0 && clientFraction <= 1)) {
            throw new PropertyException("", "clientFraction", "clientFraction, the share of the " + clients
                    + " clients sampled per round, must be in (0, 1], found " + clientFraction);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new PropertyException("", "learningRate", "learningRate must be positive and finite, found " + learningRate);
        }
        if (!(localMomentum >= 0 && localMomentum < 1)) {
            throw new PropertyException("", "localMomentum", "localMomentum must be in [0, 1), found " + localMomentum);
        }
        if (!(dirichletAlpha > 0) || Double.isInfinite(dirichletAlpha)) {
            throw new PropertyException("", "dirichletAlpha", "dirichletAlpha must be positive and finite, found " + dirichletAlpha);
        }
        if (!(serverLocalMinLearningRate > 0 && serverLocalMaxLearningRate >= serverLocalMinLearningRate)
                || Double.isInfinite(serverLocalMaxLearningRate)) {
            throw new PropertyException("", "serverLocalMinLearningRate", "need 0 < serverLocalMinLearningRate <= "
                    + "serverLocalMaxLearningRate < infinity, found " + serverLocalMinLearningRate + ", " + serverLocalMaxLearningRate);
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new PropertyException("", "validationFraction", "validationFraction must be in [0, 1), found " + validationFraction);
        }
        if (globalScheduler == null) {
            throw new PropertyException("", "globalScheduler", "globalScheduler must be NONE, G or GM");
        }
        super.postConfig();
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new PropertyException("", name, name + " must be at least 1, found " + value);
        }
    }

    /**
     * Sets the listener told about every round of later runs (it is not part of the configuration).
     * @param listener The listener.
     */
    public void setListener(FederatedListener listener) {
        this.listener = listener == null ? FederatedListener.NONE : listener;
    }

    /**
     * The number of clients that train in every round: {@code max(1, round(C K))}.
     * @return m.
     */
    public int clientsPerRound() {
        return Math.max(1, (int) Math.round(clientFraction * clients));
    }

    @Override
    public NetworkModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        if (examples.size() == 0) {
            throw new IllegalArgumentException("the training dataset is empty");
        }
        ImmutableFeatureMap featureMap = examples.getFeatureIDMap();
        ImmutableOutputInfo<Label> outputInfo = examples.getOutputIDInfo();
        TensorDataset data = TensorDataset.from(examples, new FeatureTensorizer(featureMap, network.inputShape()));
        TensorDataset train = data;
        TensorDataset validation = null;
        if (validationFraction > 0) {
            TensorDataset[] parts = data.split(validationFraction, new SplittableRandom(splitSeed));
            train = parts[0];
            validation = parts[1];
        }
        DirichletPartition partition = DirichletPartition.split(train.labels(), outputInfo.size(), clients,
                dirichletAlpha, splitSeed, minClientExamples);
        TensorDataset[] clientData = new TensorDataset[clients];
        for (int k = 0; k < clients; k++) {
            clientData[k] = train.subset(partition.client(k));
        }
        TrainerInvocations.Invocation<TrainerProvenance> invocation = startRun(invocationCount);
        SplittableRandom localRNG = invocation.rng();
        TrainerProvenance trainerProvenance = invocation.provenance();
        long initSeed = localRNG.nextLong();
        DjlRuntime.seedNativeRandom(localRNG.nextLong());

        List<FederatedRound> history = new ArrayList<>(rounds);
        try (Network net = network.build(outputInfo.size(), initSeed)) {
            Simulation simulation = new Simulation(net, clientData, validation, localRNG);
            try (FedHyperSchedule schedule = new FedHyperSchedule(net.trainableParameters(), globalScheduler,
                    serverSideLocal, learningRate, serverLocalMinLearningRate, serverLocalMaxLearningRate)) {
                for (int r = 1; r <= rounds; r++) {
                    FederatedRound round = simulation.round(r, schedule);
                    history.add(round);
                    listener.onRound(round, net);
                }
            }
            byte[] weights = NetworkModel.weightsOf(net);
            TrainingHistory trainingHistory = toTrainingHistory(history);
            Map<String, Provenance> instance = new LinkedHashMap<>(runProvenance);
            instance.putAll(NetworkProvenance.describeWeights(weights));
            instance.putAll(NetworkProvenance.describeTraining(trainingHistory));
            instance.putAll(FederatedProvenance.describe(partition, history));
            ModelProvenance provenance = new ModelProvenance(NetworkModel.class.getName(), OffsetDateTime.now(),
                    examples.getProvenance(), trainerProvenance, instance);
            return new NetworkModel("federated-network-model", provenance, featureMap, outputInfo, network, weights,
                    trainingHistory);
        }
    }

    private static TrainingHistory toTrainingHistory(List<FederatedRound> rounds) {
        List<EpochSummary> epochs = new ArrayList<>(rounds.size());
        double[] losses = new double[rounds.size()];
        double[] rates = new double[rounds.size()];
        for (int i = 0; i < rounds.size(); i++) {
            FederatedRound r = rounds.get(i);
            epochs.add(new EpochSummary(r.round(), r.clientLoss(), r.validationLoss(), r.validationAccuracy(),
                    r.finalClientLearningRate(), r.seconds()));
            losses[i] = r.clientLoss();
            rates[i] = r.clientLearningRate();
        }
        return new TrainingHistory(epochs, losses, rates, rounds.size(), false);
    }

    /** The state of one training run: the global network, the clients' data and the random stream. */
    private final class Simulation {
        private final Network net;
        private final List<Parameter> all;
        private final List<Parameter> weights;
        private final TensorDataset[] clientData;
        private final TensorDataset validation;
        private final SplittableRandom random;
        private final NetworkFit localFit;

        Simulation(Network net, TensorDataset[] clientData, TensorDataset validation, SplittableRandom random) {
            this.net = net;
            this.all = new ArrayList<>(net.parameters().values());
            this.weights = net.trainableParameters();
            this.clientData = clientData;
            this.validation = validation;
            this.random = random;
            this.localFit = new NetworkFit(new TrainingLoop(localEpochs, localBatchSize, 0.0, 1));
        }

        FederatedRound round(int round, FedHyperSchedule schedule) {
            long start = System.nanoTime();
            int[] sampled = sampleClients();
            double rate = schedule.clientLearningRate();
            double lossSum = 0;
            long steps = 0;
            double finalRateSum = 0;
            try (NDManager memory = net.manager().newSubManager(); NDScope ignored = new NDScope();
                 GradientMode noGradients = GradientMode.disabled()) {
                NDArray[] global = new NDArray[all.size()];
                NDArray[] sums = new NDArray[all.size()];
                for (int i = 0; i < global.length; i++) {
                    global[i] = all.get(i).array().duplicate();
                    global[i].attach(memory);
                    sums[i] = memory.zeros(all.get(i).shape(), DataType.FLOAT32);
                }
                double total = 0;
                for (int client : sampled) {
                    for (int i = 0; i < global.length; i++) {
                        all.get(i).copyFrom(global[i]);
                    }
                    TrainingHistory local;
                    double finalRate;
                    try (ClientOptimiser optimiser = new ClientOptimiser(weights, rate, localMomentum,
                            clientSideLocal ? schedule.previousUpdate() : null, sampled.length)) {
                        local = localFit.train(net, optimiser, clientData[client], null, BatchObjective.crossEntropy(),
                                random.split(), TrainingListener.NONE);
                        finalRate = optimiser.learningRate();
                    } catch (IllegalStateException e) {
                        throw new IllegalStateException("round " + round + ", client " + client + ": " + e.getMessage(), e);
                    }
                    finalRateSum += finalRate;
                    for (double loss : local.stepLosses()) {
                        lossSum += loss;
                        steps++;
                    }
                    double size = clientData[client].size();
                    total += size;
                    for (int i = 0; i < sums.length; i++) {
                        NDArray value = all.get(i).array();
                        sums[i].addi(value.getDataType() == DataType.FLOAT32 ? value.mul(size)
                                : value.toType(DataType.FLOAT32, true).muli(size));
                    }
                }
                NDArray[] startWeights = new NDArray[weights.size()];
                NDArray[] averageWeights = new NDArray[weights.size()];
                int w = 0;
                for (int i = 0; i < all.size(); i++) {
                    NDArray average = sums[i].divi(total);
                    if (all.get(i).kind() == Parameter.Kind.WEIGHT && all.get(i).isTrainable()) {
                        startWeights[w] = global[i];
                        averageWeights[w] = average;
                        w++;
                    } else {
                        all.get(i).copyFrom(average);
                    }
                }
                schedule.endRound(weights, startWeights, averageWeights);
            }
            double[] figures = validation == null ? new double[] {Double.NaN, Double.NaN}
                    : Evaluation.lossAndAccuracy(net, validation);
            return new FederatedRound(round, sampled.length, steps == 0 ? Double.NaN : lossSum / steps, rate,
                    finalRateSum / sampled.length, schedule.globalMultiplier(), figures[0], figures[1],
                    (System.nanoTime() - start) / 1e9);
        }

        /** Partial Fisher-Yates: m distinct clients in random order. */
        private int[] sampleClients() {
            int[] order = new int[clients];
            for (int i = 0; i < clients; i++) {
                order[i] = i;
            }
            int m = clientsPerRound();
            for (int i = 0; i < m; i++) {
                int j = i + random.nextInt(clients - i);
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
            int[] out = new int[m];
            System.arraycopy(order, 0, out, 0, m);
            return out;
        }
    }

    @Override
    public String toString() {
        String schedulers = globalScheduler == GlobalScheduler.NONE && !serverSideLocal && !clientSideLocal ? "FedAvg"
                : "FedHyper(global=" + globalScheduler + ",SL=" + serverSideLocal + ",CL=" + clientSideLocal + ")";
        return "FederatedTrainer(" + schedulers + ",network=" + network + ",rounds=" + rounds + ",clients=" + clients
                + ",clientFraction=" + clientFraction + ",localEpochs=" + localEpochs + ",localBatchSize=" + localBatchSize
                + ",learningRate=" + learningRate + ",localMomentum=" + localMomentum + ",dirichletAlpha=" + dirichletAlpha
                + ",splitSeed=" + splitSeed + ",seed=" + seed + ")";
    }
}
