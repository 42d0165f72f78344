"""The sources of a check (staged change, message, range, tree, history): read through git/ and
handed to the detectors, giving findings."""
