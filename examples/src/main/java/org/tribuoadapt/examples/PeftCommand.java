package org.tribuoadapt.examples;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.Option;
import com.oracle.labs.mlrg.olcut.config.Options;
import org.tribuoadapt.peft.AdapterApplication;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code peft apply --network <config> --base-weights <file.safetensors> --adapter <dir> --input <file.safetensors>
 * --output <file.safetensors>}: loads a base network (an OLCUT configuration with a component named
 * {@value AdapterApplication#NETWORK_COMPONENT}) and its PyTorch weights, applies an adapter saved by Hugging Face
 * PEFT or by Tribuo Adapt, runs the tensor named {@value AdapterApplication#INPUT} through it, and writes
 * {@value AdapterApplication#OUTPUT_ADAPTED} (adapter active) and {@value AdapterApplication#OUTPUT_MERGED} (after
 * merging).
 */
final class PeftCommand implements CliCommand {

    /** Options of {@code peft apply}. */
    public static final class ApplyOptions implements Options {
        @Option(longName = "network", usage = "OLCUT configuration of the base network (component 'network').")
        public Path network;
        @Option(longName = "base-weights", usage = "The base network's weights (safetensors, PyTorch names).")
        public Path baseWeights;
        @Option(longName = "adapter", usage = "Folder with adapter_config.json and adapter_model.safetensors.")
        public Path adapter;
        @Option(longName = "input", usage = "Safetensors file holding the tensor 'input'.")
        public Path input;
        @Option(longName = "output", usage = "Safetensors file to write with output_adapted and output_merged.")
        public Path output;
    }

    @Override
    public String name() {
        return "peft";
    }

    @Override
    public String description() {
        return "peft apply: apply a PEFT adapter to a base network and write its outputs (adapted and merged)";
    }

    @Override
    public int run(String[] args) throws Exception {
        if (args.length == 0 || !args[0].equals("apply")) {
            throw new IllegalArgumentException("usage: peft apply --network <config.xml> --base-weights <file.safetensors> "
                    + "--adapter <dir> --input <file.safetensors> --output <file.safetensors>");
        }
        ApplyOptions options = new ApplyOptions();
        try (ConfigurationManager ignored = new ConfigurationManager(Arrays.copyOfRange(args, 1, args.length), options,
                null, false)) {
            for (Object[] required : new Object[][] {{options.network, "--network"}, {options.baseWeights, "--base-weights"},
                    {options.adapter, "--adapter"}, {options.input, "--input"}, {options.output, "--output"}}) {
                if (required[0] == null) {
                    throw new IllegalArgumentException(required[1] + " is required");
                }
            }
        }
        AdapterApplication.apply(options.network, options.baseWeights, options.adapter, options.input, options.output);
        System.out.println("wrote " + AdapterApplication.OUTPUT_ADAPTED + " and " + AdapterApplication.OUTPUT_MERGED
                + " to " + options.output);
        return 0;
    }
}
