// placeholder: module NeuralNet
