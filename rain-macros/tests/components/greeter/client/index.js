export default class Greeter {}
