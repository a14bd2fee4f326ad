"""init_all_states returns the module it was given: a misspelled layer name is caught."""

import brainstate

import facade as braintools


class Net(brainstate.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = braintools.nn.Linear(3, 2)


net = brainstate.nn.init_all_states(Net(), batch_size=4)
print(net.fc2)  # expect: attr-defined
