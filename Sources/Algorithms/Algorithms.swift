// placeholder: module Algorithms
