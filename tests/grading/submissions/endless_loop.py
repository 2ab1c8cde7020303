"""conv_output_shape never returns: both its tests time out after 8 s and lose their 3 points; scores 17/20."""


def conv_output_shape(input_shape, layers):
    while True:  # an endless loop
        pass
