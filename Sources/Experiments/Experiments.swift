// placeholder: module Experiments
