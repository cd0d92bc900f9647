package org.tribuoadapt.examples.bench.hpo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuo.Dataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.hpo.federated.FederatedTrainer;
import org.tribuoadapt.hpo.federated.GlobalScheduler;

import java.util.ArrayList;
import java.util.List;

/**
 * Part (b) of {@code bench hpo}: one federated simulation (FedAvg, or FedHyper with the chosen schedulers) from one
 * initial client learning rate, measuring the global model's test accuracy after every round.
 */
final class FedHyperComparison {

    private final NetworkSpec spec;
    private final Dataset<Label> train;
    private final TensorDataset test;
    private final int rounds;
    private final int clients;
    private final double fraction;
    private final int localEpochs;
    private final int localBatchSize;
    private final double alpha;
    private final double target;
    private final long seed;
    private final GlobalScheduler global;
    private final boolean serverSideLocal;
    private final boolean clientSideLocal;

    /**
     * Creates the experiment.
     * @param spec The network.
     * @param train The training data, split over the clients.
     * @param test The test data, labelled with the training data's label ids.
     * @param settings The simulation's sizes: rounds, clients, local epochs, local batch size.
     * @param fraction The share of clients per round.
     * @param alpha The Dirichlet concentration of the split.
     * @param target The accuracy whose first crossing is reported.
     * @param seed The seed of the split, the initial weights, sampling and batch order.
     * @param global FedHyper's global scheduler.
     * @param serverSideLocal Whether FedHyper uses SL.
     * @param clientSideLocal Whether FedHyper uses CL.
     */
    FedHyperComparison(NetworkSpec spec, Dataset<Label> train, TensorDataset test, int[] settings, double fraction,
                       double alpha, double target, long seed, GlobalScheduler global, boolean serverSideLocal,
                       boolean clientSideLocal) {
        this.spec = spec;
        this.train = train;
        this.test = test;
        this.rounds = settings[0];
        this.clients = settings[1];
        this.localEpochs = settings[2];
        this.localBatchSize = settings[3];
        this.fraction = fraction;
        this.alpha = alpha;
        this.target = target;
        this.seed = seed;
        this.global = global;
        this.serverSideLocal = serverSideLocal;
        this.clientSideLocal = clientSideLocal;
    }

    /**
     * The schedulers FedHyper runs with, e.g. {@code GM+SL+CL}.
     * @return The label.
     */
    String schedulers() {
        List<String> parts = new ArrayList<>();
        if (global != GlobalScheduler.NONE) {
            parts.add(global.name());
        }
        if (serverSideLocal) {
            parts.add("SL");
        }
        if (clientSideLocal) {
            parts.add("CL");
        }
        return String.join("+", parts);
    }

    /**
     * Runs one simulation.
     * @param fedHyper Whether to switch FedHyper's schedulers on (otherwise FedAvg).
     * @param rate The clients' initial learning rate.
     * @param mapper The JSON mapper.
     * @return One JSON object, with {@code accuracy} per round.
     */
    ObjectNode run(boolean fedHyper, double rate, ObjectMapper mapper) {
        long start = System.nanoTime();
        FederatedTrainer trainer = new FederatedTrainer(spec, rounds, clients, fraction, localEpochs, localBatchSize,
                rate, alpha, seed, seed);
        if (fedHyper) {
            trainer.withSchedulers(global, serverSideLocal, clientSideLocal);
        }
        ObjectNode json = mapper.createObjectNode();
        json.put("benchmark", "hpo").put("part", "federated").put("method", fedHyper ? "fedhyper" : "fedavg")
                .put("schedulers", fedHyper ? schedulers() : "none").put("initial_lr", rate).put("rounds", rounds)
                .put("clients", clients).put("clients_per_round", trainer.clientsPerRound()).put("local_epochs", localEpochs)
                .put("local_batch", localBatchSize).put("dirichlet_alpha", alpha).put("examples", train.size())
                .put("test", test.size()).put("target", target);
        ArrayNode accuracy = json.putArray("accuracy");
        ArrayNode clientRates = json.putArray("client_lr");
        ArrayNode multipliers = json.putArray("global_multiplier");
        Integer[] reached = {null};
        double[] last = {Double.NaN};
        trainer.setListener((round, network) -> {
            double a = Evaluation.lossAndAccuracy(network, test)[1];
            accuracy.add(a);
            clientRates.add(round.finalClientLearningRate());
            multipliers.add(round.globalMultiplier());
            last[0] = a;
            if (reached[0] == null && a >= target) {
                reached[0] = round.round();
            }
        });
        boolean diverged = false;
        try {
            trainer.train(train);
        } catch (IllegalStateException e) {
            diverged = true;
            json.put("error", e.getMessage());
        }
        json.put("diverged", diverged);
        if (Double.isNaN(last[0])) {
            json.putNull("final_accuracy");
        } else {
            json.put("final_accuracy", last[0]);
        }
        if (reached[0] == null) {
            json.putNull("rounds_to_target");
        } else {
            json.put("rounds_to_target", reached[0]);
        }
        json.put("seconds", (System.nanoTime() - start) / 1e9);
        return json;
    }

    /**
     * The first round (from 1) whose accuracy reached a level.
     * @param run A run's JSON.
     * @param level The accuracy.
     * @return The round, or 0 if it never did.
     */
    static int firstRoundReaching(ObjectNode run, double level) {
        ArrayNode accuracy = (ArrayNode) run.get("accuracy");
        for (int i = 0; i < accuracy.size(); i++) {
            if (accuracy.get(i).asDouble() >= level) {
                return i + 1;
            }
        }
        return 0;
    }
}
